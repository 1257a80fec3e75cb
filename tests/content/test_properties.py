"""Whatever an organizer writes into a content file, the check gives problems, not a crash."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from content.loader import FILES, check_content, default_content_dir

PACKAGED = {name: (default_content_dir() / name).read_text("utf-8") for name in FILES}

# Words the schema knows, so generated structures reach deep into the models, not just the top.
FIELD_NAMES = [
    "events", "funds", "petitions", "actions", "impact", "intro", "air_miles", "share", "source",
    "id", "name", "title", "description", "text", "template", "how_to_help", "place", "url",
    "timezone", "starts", "ends", "topics", "en", "ru", "publisher", "seed", "month", "day",
    "why", "campaign", "hashtag", "checked", "checked_by", "status", "closes", "tag", "message",
    "page", "<<",
]  # fmt: skip
PLAUSIBLE_VALUES = [
    "https://lgbtnet.org/en/", "http://example.org", "https://", "Asia/Hong_Kong", "Europe",
    "2017-06-02 19:00", "2017-06-02T19:00+08:00", "000_0af73d56a477f512.txt", "#100forJustice",
    "events", "gossip", "hong-kong-loves-chechnya", "x" * 2001, "open", "historic", "closed",
    "campaign team", "Evgenia", "appeal", "2026-12-01",
]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(PLAUSIBLE_VALUES),
    st.dates(),
    st.datetimes(),
)
keys = st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=10), st.integers(0, 3))
structures = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(keys, inner, max_size=6),
    ),
    max_leaves=30,
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("content")


def write_all(directory: Path, replaced: str, content: str | bytes) -> None:
    """The packaged files, with `replaced` holding `content` instead."""
    for name in FILES:
        (directory / name).write_text(PACKAGED[name], encoding="utf-8")
    target = directory / replaced
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")


def assert_only_problems(directory: Path, replaced: str, content: str | bytes) -> None:
    campaign, problems = check_content(directory)
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    # str.splitlines breaks at every line break YAML knows (and a few more), so this bounds it.
    lines = len(text.splitlines()) + 1
    for problem in problems:
        assert problem.file in FILES
        assert problem.line >= 1, str(problem)
        if problem.file == replaced:
            assert problem.line <= lines, str(problem)
        assert str(problem).startswith(f"{problem.file}:{problem.line}: ")
    assert (campaign is None) == any(not p.warning for p in problems)


files = st.sampled_from(list(FILES))
fast = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@fast
@given(replaced=files, text=st.text())
def test_arbitrary_text_gives_problems_not_crashes(workdir: Path, replaced: str, text: str) -> None:
    write_all(workdir, replaced, text)
    assert_only_problems(workdir, replaced, text)


@fast
@given(replaced=files, data=structures)
def test_arbitrary_yaml_structures_give_problems_not_crashes(
    workdir: Path, replaced: str, data: object
) -> None:
    text = yaml.safe_dump(data, allow_unicode=True)
    write_all(workdir, replaced, text)
    assert_only_problems(workdir, replaced, text)


@fast
@given(replaced=files, data=st.data())
def test_edits_to_real_files_give_problems_not_crashes(
    workdir: Path, replaced: str, data: st.DataObject
) -> None:
    """Typical slips: a line deleted, duplicated, re-indented, or with stray characters."""
    lines = PACKAGED[replaced].splitlines(keepends=True)
    index = data.draw(st.integers(0, len(lines) - 1), label="line")
    slip = data.draw(st.sampled_from(["delete", "duplicate", "indent", "insert"]), label="slip")
    if slip == "delete":
        del lines[index]
    elif slip == "duplicate":
        lines.insert(index, lines[index])
    elif slip == "indent":
        lines[index] = data.draw(st.sampled_from([" ", "\t", "  - "])) + lines[index]
    else:
        column = data.draw(st.integers(0, len(lines[index])), label="column")
        stray = data.draw(st.text(min_size=1, max_size=5), label="stray")
        lines[index] = lines[index][:column] + stray + lines[index][column:]
    text = "".join(lines)
    write_all(workdir, replaced, text)
    assert_only_problems(workdir, replaced, text)


@fast
@given(replaced=files, raw=st.binary(max_size=200))
def test_arbitrary_bytes_give_problems_not_crashes(
    workdir: Path, replaced: str, raw: bytes
) -> None:
    write_all(workdir, replaced, raw)
    assert_only_problems(workdir, replaced, raw)


@fast
@given(when=st.one_of(st.datetimes(), st.dates(), st.text(max_size=25)))
def test_any_start_time_is_accepted_or_explained(
    workdir: Path, when: datetime | date | str
) -> None:
    text = PACKAGED["events.yaml"].replace(
        "starts: 2017-06-02 19:00",
        "starts: " + yaml.safe_dump(when).removesuffix("\n...\n").strip(),
    )
    write_all(workdir, "events.yaml", text)
    assert_only_problems(workdir, "events.yaml", text)
