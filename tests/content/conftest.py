"""The fixture every content-check test breaks: a private copy of the packaged content files."""

from __future__ import annotations

from pathlib import Path

import pytest

from content.loader import FILES, default_content_dir


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A private copy of the packaged content files to break, as it is once the campaign team
    has opened every link (shipped, the items say `checked_by: sources`, which check warns of)."""
    for name in FILES:
        text = (default_content_dir() / name).read_text("utf-8")
        checked = text.replace("checked_by: sources", "checked_by: campaign team")
        (tmp_path / name).write_text(checked, "utf-8")
    return tmp_path
