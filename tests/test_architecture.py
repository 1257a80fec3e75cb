"""The hexagon holds: only adapters know a platform, only db/ knows SQLAlchemy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.support.paths import REPO


def test_import_contracts_hold() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower() or " 0 broken" in result.stdout


def test_handlers_are_documented_async_functions() -> None:
    """Each handler module's public functions are async and carry a one-line docstring."""
    for path in (REPO / "handlers").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.AsyncFunctionDef) and not node.name.startswith("_"):
                doc = ast.get_docstring(node)
                assert doc and "\n" not in doc.strip(), f"{path}:{node.name}"


def test_every_adapter_is_kept_apart_from_the_others() -> None:
    """A new adapter (a package or a module under bot/adapters) must join the independence
    contract, or nothing stops it from importing another platform's adapter."""
    import tomllib

    contracts = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"][
        "contracts"
    ]
    [independent] = [c for c in contracts if c["type"] == "independence"]
    adapters = REPO / "bot" / "adapters"
    found = {
        f"bot.adapters.{path.stem}"
        for path in adapters.iterdir()
        if (path.is_dir() and (path / "__init__.py").exists())
        or (path.suffix == ".py" and path.stem != "__init__")
    }
    assert found == set(independent["modules"])


def test_ruff_format_and_mypy_are_clean() -> None:
    """The house style is enforced by the test command, not only by `make lint`."""
    bin_dir = Path(sys.executable).parent
    ruff = str(bin_dir / "ruff")
    for tool in ([ruff, "check", "."], [ruff, "format", "--check", "."], [str(bin_dir / "mypy")]):
        result = subprocess.run(tool, cwd=REPO, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
