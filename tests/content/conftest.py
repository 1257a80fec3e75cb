"""The fixture every content-check test breaks: a private copy of the packaged content files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from content.loader import FILES, default_content_dir


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A private copy of the packaged content files to break."""
    for name in FILES:
        shutil.copy(default_content_dir() / name, tmp_path / name)
    return tmp_path
