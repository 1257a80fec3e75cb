"""Where the checkout is, wherever a test file sits in the tree."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
