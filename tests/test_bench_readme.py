"""bench/readme.py rewrites only the generated blocks of the README's benchmark section.

No benchmark runs here: the results are sample JSON as bench/figures.py writes them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.figures import Figure, command_args, write
from bench.readme import main, regenerate, render_block

SAMPLE = {
    "bench": "broadcast",
    "date": "2026-12-01T15:30:00+00:00",
    "cpus": 2,
    "load": 1.25,
    "python": "3.11.7",
    "args": ["--paced"],
    "figures": [
        Figure(
            "queue_s",
            "Queue 100,000 recipients",
            0.2249,
            "s",
            "executemany from Python",
            0.7812,
            target="< 5 s",
            met=True,
            digits=2,
            ratio=0.7812 / 0.2249,
            ratio_format="{:.1f}× faster",
        ).as_dict(),
        Figure(
            "paced_rate",
            "At the 25/s cap",
            24.74,
            "/s",
            "the cap",
            25.0,
            "98–100%",
            True,
            2,
            ratio_format="{:.1%}",
        ).as_dict(),
        Figure("paced_429", "429 answers", 3, target="0", met=False).as_dict(),
        Figure("ceiling_1", "One in flight | durable", 29.4, "/s").as_dict(),
    ],
    "notes": ["fake platform latency 30 ms"],
}

README = """# allybot

Intro with a number typed by hand: 42.

## Benchmarks

Hand-written explanation.

<!-- bench:start -->

`bench/core.py` — explained by hand.

<!-- bench:core:start -->
| old | 64,347 |
<!-- bench:core:end -->

`bench/broadcast.py` — explained by hand, kept.

<!-- bench:broadcast:start -->
old figures
<!-- bench:broadcast:end -->

Closing words.

<!-- bench:end -->

## After

<!-- bench:broadcast:start -->
outside the section: never touched
<!-- bench:broadcast:end -->
"""


def test_a_block_is_rendered_as_a_table_from_the_json() -> None:
    block = render_block(SAMPLE)
    assert block.startswith(
        "Measured 2026-12-01 15:30 UTC on 2 CPUs, load 1.25, Python 3.11.7, by "
        "`.venv/bin/python bench/broadcast.py --paced`:\n"
    )
    lines = block.splitlines()
    assert "| Figure | Result | Baseline (same run) | Ratio | Target |" in lines
    assert (
        "| Queue 100,000 recipients | 0.22 s | 0.78 s (executemany from Python) "
        "| 3.5× faster | < 5 s: met |"
    ) in lines
    assert "| At the 25/s cap | 24.74/s | 25.00/s (the cap) | 99.0% | 98–100%: met |" in lines
    assert "| 429 answers | 3 | – | – | 0: **missed** |" in lines
    assert "| One in flight \\| durable | 29/s | – | – | – |" in lines
    assert lines[-1] == "Fake platform latency 30 ms."


def test_only_the_blocks_with_results_change_and_the_text_around_them_stays() -> None:
    after = regenerate(README, {"broadcast": SAMPLE})
    assert "old figures" not in after
    assert "| Queue 100,000 recipients | 0.22 s |" in after
    # core.py has no result: its block is kept as it was.
    assert "<!-- bench:core:start -->\n| old | 64,347 |\n<!-- bench:core:end -->" in after
    # Everything outside the broadcast block is unchanged, including a block outside the section.
    start = after.index("<!-- bench:broadcast:start -->")
    end = after.index("<!-- bench:broadcast:end -->")
    old_start = README.index("<!-- bench:broadcast:start -->")
    old_end = README.index("<!-- bench:broadcast:end -->")
    assert after[:start] == README[:old_start]
    assert after[end:] == README[old_end:]
    assert "outside the section: never touched" in after


def test_regenerating_twice_changes_nothing() -> None:
    once = regenerate(README, {"broadcast": SAMPLE})
    assert regenerate(once, {"broadcast": SAMPLE}) == once
    assert regenerate(README, {}) == README


def test_a_result_without_a_block_gets_one_at_the_end_of_the_section() -> None:
    after = regenerate(README, {"timezones": {**SAMPLE, "bench": "timezones", "args": []}})
    section = after[after.index("<!-- bench:start -->") : after.index("<!-- bench:end -->")]
    assert section.index("Closing words.") < section.index("<!-- bench:timezones:start -->")
    assert "by `.venv/bin/python bench/timezones.py`:" in section
    assert regenerate(after, {"timezones": {**SAMPLE, "bench": "timezones", "args": []}}) == after


def test_a_readme_without_the_section_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="bench:start"):
        regenerate("# no markers\n", {"broadcast": SAMPLE})


def test_written_json_round_trips_through_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = tmp_path / "results"
    monkeypatch.setattr("sys.argv", ["bench/broadcast.py", "--paced", "--json", "x.json"])
    write(
        "broadcast",
        [Figure("paced_429", "429 answers", 0, target="0", met=True)],
        results / "broadcast.json",
    )
    data = json.loads((results / "broadcast.json").read_text(encoding="utf-8"))
    assert data["args"] == ["--paced"]
    assert data["cpus"] and data["python"] and data["date"]
    readme = tmp_path / "README.md"
    readme.write_text(README, encoding="utf-8")
    assert main(["--readme", str(readme), "--results", str(results)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert "| 429 answers | 0 | – | – | 0: met |" in text
    assert "<!-- bench:core:start -->\n| old | 64,347 |" in text


def test_json_is_dropped_from_the_recorded_command() -> None:
    assert command_args(["--rounds", "3", "--json", "a.json", "--json=b.json", "-x"]) == [
        "--rounds",
        "3",
        "-x",
    ]
    write("nothing", [], None)  # no --json: nothing written, no error
