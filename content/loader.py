"""Read the campaign YAML files into a Campaign, reporting every problem as `file:line: message`.

Organizers edit these files by hand, so a mistake must point at the line to fix rather than dump a
pydantic traceback, and no input, however broken, may crash the check. This module reads the files
and checks what spans them (ids, translations); content.yaml_lines finds the lines and
content.problems words the errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import cast

from pydantic import BaseModel, ConfigDict, ValidationError

from content.problems import Loc, Problem, path_text, validation_message
from content.provenance import freshness, repeated_links
from content.schema import Campaign, Donate, Event, Petitions, Remembrance, Text
from content.yaml_lines import LineMap, duplicate_keys, line_for, line_map, node_line, parse_yaml

# The public API; Problem is re-exported because every caller of check_content handles them.
__all__ = [
    "FILES",
    "ContentError",
    "Problem",
    "check_content",
    "default_content_dir",
    "load_campaign",
]


class EventsFile(BaseModel):
    """events.yaml: one key, `events`, holding the list of events."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    events: tuple[Event, ...]


FILES: dict[str, type[BaseModel]] = {
    "donate.yaml": Donate,
    "events.yaml": EventsFile,
    "petitions.yaml": Petitions,
    "remembrance.yaml": Remembrance,
}

# Where items with ids live in each file; one id namespace spans them all, because buttons and
# reminders refer to an item by its id alone.
ID_LISTS: dict[str, tuple[str, ...]] = {
    "donate.yaml": ("funds",),
    "events.yaml": ("events",),
    "petitions.yaml": ("petitions", "actions"),
}


def default_content_dir() -> Path:
    """The campaign files packaged with allybot (content/data)."""
    return Path(str(resources.files("content") / "data"))


class ContentError(Exception):
    """The content has errors; `.problems` lists them (and any warnings)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def load_campaign(directory: Path | None = None) -> Campaign:
    """The campaign in `directory` (default: the packaged one); ContentError on any error."""
    campaign, problems = check_content(directory)
    if campaign is None:
        raise ContentError(problems)
    return campaign


def check_content(
    directory: Path | None = None, today: date | None = None
) -> tuple[Campaign | None, list[Problem]]:
    """Validate every content file; the campaign is None when any problem is an error.

    `today` (by default the UTC date) only decides which items are due for a new check.
    """
    today = today or datetime.now(UTC).date()
    root = directory if directory is not None else default_content_dir()
    problems: list[Problem] = []
    models: dict[str, BaseModel] = {}
    lines: dict[str, LineMap] = {}
    for name, model in FILES.items():
        loaded = _load_file(root / name, name, model, problems)
        if loaded is not None:
            models[name], lines[name] = loaded
    problems.extend(_duplicate_ids(models, lines))
    problems.extend(repeated_links(models, lines))
    problems.extend(_undeclared_share_tag(models, lines))
    for name, value in models.items():
        problems.extend(_missing_russian(name, value, lines[name]))
        problems.extend(freshness(name, value, lines[name], today))
    order = list(FILES)
    problems.sort(key=lambda p: (order.index(p.file), p.line))
    if any(not p.warning for p in problems) or len(models) != len(FILES):
        return None, problems
    # FILES maps each name to the model it was validated with.
    campaign = Campaign(
        donate=cast(Donate, models["donate.yaml"]),
        events=cast(EventsFile, models["events.yaml"]).events,
        petitions=cast(Petitions, models["petitions.yaml"]),
        remembrance=cast(Remembrance, models["remembrance.yaml"]),
    )
    return campaign, problems


def _load_file(
    path: Path, name: str, model: type[BaseModel], problems: list[Problem]
) -> tuple[BaseModel, LineMap] | None:
    """The validated file and its lines, or None after adding every problem it has."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(name, 1, f"the file is missing (expected in {path.parent})"))
        return None
    except OSError as error:
        problems.append(Problem(name, 1, f"cannot read the file: {error.strerror or error}"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        problems.append(Problem(name, line, "the file is not UTF-8 text; save it as UTF-8"))
        return None
    parsed = parse_yaml(text, name, problems)
    if parsed is None:
        return None
    data, root = parsed
    if root is None or data is None:
        problems.append(Problem(name, 1, "the file is empty"))
        return None
    if not isinstance(data, dict):
        problems.append(
            Problem(name, node_line(root), "the file must be a mapping of fields (name: value)")
        )
        return None
    problems.extend(duplicate_keys(name, root))
    try:
        lines = line_map(root)
        return model.model_validate(data), lines
    except RecursionError:
        # Both steps recurse once per level of nesting, which a hand-made file can exhaust.
        problems.append(Problem(name, 1, "the YAML is nested too deeply"))
        return None
    except ValidationError as error:
        # Only model_validate raises this, so `lines` is complete here.
        for details in error.errors(include_url=False):
            line = line_for(tuple(details["loc"]), lines)
            problems.append(Problem(name, line, validation_message(details)))
        return None


def _duplicate_ids(models: dict[str, BaseModel], lines: dict[str, LineMap]) -> Iterator[Problem]:
    """Each reuse of an id, pointing back at its first use (which may be in another file)."""
    first: dict[str, str] = {}
    for name, keys in ID_LISTS.items():
        model = models.get(name)
        if model is None:
            continue
        for key in keys:
            for index, item in enumerate(getattr(model, key)):
                loc: Loc = (key, index, "id")
                line = line_for(loc, lines[name])
                if item.id in first:
                    yield Problem(
                        name,
                        line,
                        f"{path_text(loc)}: duplicate id {item.id!r} "
                        f"(first used at {first[item.id]})",
                    )
                else:
                    first[item.id] = f"{name}:{line}"


def _undeclared_share_tag(
    models: dict[str, BaseModel], lines: dict[str, LineMap]
) -> Iterator[Problem]:
    """The share button's tag must be counted, so it must be one of the declared campaign tags."""
    donate, remembrance = models.get("donate.yaml"), models.get("remembrance.yaml")
    if not isinstance(donate, Donate) or not isinstance(remembrance, Remembrance):
        return
    if donate.share.tag not in remembrance.campaign_tags:
        loc: Loc = ("share", "tag")
        yield Problem(
            "donate.yaml",
            line_for(loc, lines["donate.yaml"]),
            f"{path_text(loc)}: {donate.share.tag!r} is not one of the campaign_tags in "
            "remembrance.yaml",
        )


def _texts(value: object, loc: Loc) -> Iterator[tuple[Loc, Text]]:
    """Every Text in a validated value, with its path."""
    if isinstance(value, Text):
        yield loc, value
    elif isinstance(value, BaseModel):
        for field in type(value).model_fields:
            yield from _texts(getattr(value, field), (*loc, field))
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            yield from _texts(item, (*loc, index))


def _missing_russian(name: str, model: BaseModel, lines: LineMap) -> Iterator[Problem]:
    """A warning, not an error: Text falls back to English, so the bot still works."""
    for loc, text in _texts(model, ()):
        if not text.ru:
            yield Problem(
                name,
                line_for(loc, lines),
                f"{path_text(loc)}: no Russian translation (ru); English will be shown",
                warning=True,
            )
