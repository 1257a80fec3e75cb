"""Rewrite the README's benchmark figures from the JSON the benchmarks wrote (`make bench`).

Only text between `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->`, inside
`<!-- bench:start -->` ... `<!-- bench:end -->`, is generated: one block per benchmark, with the
date, the machine's CPU count, the command and a table of figure / baseline / ratio / target.
The explanations around the blocks stay hand-written. A benchmark without a result file keeps its
block as it was; a result without a block gets a new block at the end of the section.

    .venv/bin/python bench/readme.py [--readme README.md] [--results bench/results]
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
BLOCK = re.compile(r"<!-- bench:([\w-]+):start -->\n(.*?)<!-- bench:\1:end -->", re.DOTALL)


def start_marker(name: str) -> str:
    return f"<!-- bench:{name}:start -->"


def end_marker(name: str) -> str:
    return f"<!-- bench:{name}:end -->"


def number(value: float, digits: int, unit: str) -> str:
    text = f"{value:,.{digits}f}"
    if not unit:
        return text
    return f"{text}{unit}" if unit.startswith("/") else f"{text} {unit}"


def cell(text: str) -> str:
    return text.replace("|", "\\|")


def row(figure: Mapping[str, Any]) -> str:
    digits, unit = int(figure.get("digits", 0)), str(figure.get("unit", ""))
    result = number(float(figure["value"]), digits, unit)
    baseline_value = figure.get("baseline_value")
    if baseline_value is None:
        baseline = "–"
    else:
        baseline = number(float(baseline_value), digits, unit)
        if figure.get("baseline_label"):
            baseline += f" ({figure['baseline_label']})"
    ratio_value = figure.get("ratio")
    ratio = "–" if ratio_value is None else str(figure["ratio_format"]).format(ratio_value)
    target = str(figure.get("target") or "–")
    if figure.get("met") is True:
        target += ": met"
    elif figure.get("met") is False:
        target += ": **missed**"
    cells = (figure["label"], result, baseline, ratio, target)
    return "| " + " | ".join(cell(str(c)) for c in cells) + " |"


def render_block(result: Mapping[str, Any]) -> str:
    """The generated text inside one benchmark's markers (ends with a newline)."""
    name = result["bench"]
    when = datetime.fromisoformat(result["date"]).strftime("%Y-%m-%d %H:%M UTC")
    command = shlex.join([".venv/bin/python", f"bench/{name}.py", *result.get("args", [])])
    load = f", load {result['load']:.2f}" if result.get("load") is not None else ""
    lines = [
        f"Measured {when} on {result['cpus']} CPUs{load}, Python {result['python']}, by "
        f"`{command}`:",
        "",
        "| Figure | Result | Baseline (same run) | Ratio | Target |",
        "| --- | ---: | ---: | ---: | --- |",
        *(row(figure) for figure in result["figures"]),
    ]
    notes = result.get("notes") or []
    if notes:
        text = "; ".join(cell(str(note)) for note in notes)
        lines += ["", text[:1].upper() + text[1:] + "."]
    return "\n".join(lines) + "\n"


def regenerate(readme: str, results: Mapping[str, Mapping[str, Any]]) -> str:
    """The README with every block that has a result rewritten, and nothing else changed."""
    start, end = readme.find(START), readme.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the README needs {START} ... {END} around the benchmark figures")
    section = readme[start:end]
    seen: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        seen.add(name)
        if name not in results:
            return match.group(0)
        return f"{start_marker(name)}\n{render_block(results[name])}{end_marker(name)}"

    section = BLOCK.sub(replace, section)
    for name in sorted(set(results) - seen):
        block = f"{start_marker(name)}\n{render_block(results[name])}{end_marker(name)}"
        section = section.rstrip("\n") + f"\n\n`bench/{name}.py`\n\n{block}\n\n"
    return readme[:start] + section + readme[end:]


def load_results(folder: Path) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        results[data["bench"]] = data
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    options = parser.parse_args(argv)
    results = load_results(options.results)
    before = options.readme.read_text(encoding="utf-8")
    after = regenerate(before, results)
    if after != before:
        options.readme.write_text(after, encoding="utf-8")
    blocks = {name for name, _ in BLOCK.findall(before[before.find(START) :])}
    kept = sorted(blocks - set(results))
    print(f"regenerated: {', '.join(sorted(results)) or 'nothing'}")
    if kept:
        print(f"kept as they were (no result in {options.results}): {', '.join(kept)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
