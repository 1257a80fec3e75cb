"""The figures a benchmark measured, written as JSON for bench/readme.py to put in the README.

Every benchmark prints its figures and, given `--json PATH`, writes the same numbers:

    parser = argparse.ArgumentParser()
    figures.add_json_argument(parser)
    ...
    figures.write("reminders", [Figure("find_ms", "Find what is due", 6.96, "ms", ...)], path)

The file records when and where it was measured (date, CPU count, Python) and the command's
arguments (without `--json`), so the README can say which command produced each table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Figure:
    """One measured number, optionally against a baseline measured in the same run.

    `ratio` is value / baseline_value unless given (a benchmark may report, say, the median of
    per-round ratios, or baseline / value as "times faster"); `ratio_format` renders it.
    `target` is text ("< 50 ms", ">= 85%"); `met` is the benchmark's own verdict, if it has one.
    """

    key: str
    label: str
    value: float
    unit: str = ""
    baseline_label: str = ""
    baseline_value: float | None = None
    target: str = ""
    met: bool | None = None
    digits: int = 0
    ratio: float | None = None
    ratio_format: str = "{:.2f}"

    def derived_ratio(self) -> float | None:
        if self.ratio is not None:
            return self.ratio
        if self.baseline_value:
            return self.value / self.baseline_value
        return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "value": self.value,
            "unit": self.unit,
            "digits": self.digits,
            "baseline_label": self.baseline_label,
            "baseline_value": self.baseline_value,
            "ratio": self.derived_ratio(),
            "ratio_format": self.ratio_format,
            "target": self.target,
            "met": self.met,
        }


def add_json_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json",
        type=Path,
        metavar="PATH",
        help="also write the figures to PATH as JSON (bench/readme.py puts them in the README)",
    )


def parse_json_arg(argv: Sequence[str] | None = None) -> Path | None:
    """`--json PATH` from the command line, for a benchmark that takes no other arguments."""
    parser = argparse.ArgumentParser(add_help=False)
    add_json_argument(parser)
    known, _ = parser.parse_known_args(argv)
    path: Path | None = known.json
    return path


def command_args(argv: Sequence[str]) -> list[str]:
    """The command's arguments without `--json PATH` (or `--json=PATH`)."""
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--json":
            skip = True
        elif not arg.startswith("--json="):
            kept.append(arg)
    return kept


def write(
    bench: str,
    figures: Iterable[Figure],
    path: Path | None,
    notes: Sequence[str] = (),
) -> None:
    """Write the figures to `path` as JSON; nothing when `path` is None (no `--json` given)."""
    if path is None:
        return
    data = {
        "bench": bench,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "load": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "args": command_args(sys.argv[1:]),
        "figures": [figure.as_dict() for figure in figures],
        "notes": list(notes),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
