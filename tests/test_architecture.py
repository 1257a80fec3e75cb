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
    for path in (REPO / "handlers").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.AsyncFunctionDef) and not node.name.startswith("_"):
                doc = ast.get_docstring(node)
                assert doc and "\n" not in doc.strip(), f"{path.name}:{node.name}"


def test_every_adapter_module_is_covered_by_the_import_contracts() -> None:
    """A new adapter module must join its contract, or its imports go unchecked."""
    import tomllib

    contracts = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"][
        "contracts"
    ]
    named = {m for c in contracts for m in c.get("source_modules", [])}
    for path in (REPO / "bot" / "adapters").glob("*.py"):
        if path.stem != "__init__":
            assert f"bot.adapters.{path.stem}" in named, path.name


def test_ruff_and_mypy_are_clean() -> None:
    """The house style is enforced by the test command, not only by `make lint`."""
    bin_dir = Path(sys.executable).parent
    for tool in ([str(bin_dir / "ruff"), "check", "."], [str(bin_dir / "mypy")]):
        result = subprocess.run(tool, cwd=REPO, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
