"""Read the campaign YAML files into a Campaign, reporting every problem as `file:line: message`.

Organizers edit these files by hand, so a mistake must point at the line to fix rather than dump a
pydantic traceback, and no input, however broken, may crash the check.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, cast

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from content.schema import Campaign, Donate, Event, Petitions, Remembrance, Text

Loc = tuple[str | int, ...]


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


@dataclass(frozen=True)
class Problem:
    """One thing to fix (or, for a warning, to consider) at a line of a content file."""

    file: str
    line: int
    message: str
    warning: bool = False

    def __str__(self) -> str:
        prefix = "warning: " if self.warning else ""
        return f"{self.file}:{self.line}: {prefix}{self.message}"


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


def check_content(directory: Path | None = None) -> tuple[Campaign | None, list[Problem]]:
    """Validate every content file; the campaign is None when any problem is an error."""
    root = directory if directory is not None else default_content_dir()
    problems: list[Problem] = []
    models: dict[str, BaseModel] = {}
    lines: dict[str, dict[Loc, int]] = {}
    for name, model in FILES.items():
        loaded = _load_file(root / name, name, model, problems)
        if loaded is not None:
            models[name], lines[name] = loaded
    problems.extend(_duplicate_ids(models, lines))
    for name, value in models.items():
        problems.extend(_missing_russian(name, value, lines[name]))
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
) -> tuple[BaseModel, dict[Loc, int]] | None:
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
    parsed = _parse_yaml(text, name, problems)
    if parsed is None:
        return None
    data, root = parsed
    if root is None or data is None:
        problems.append(Problem(name, 1, "the file is empty"))
        return None
    if not isinstance(data, dict):
        problems.append(
            Problem(name, _line(root), "the file must be a mapping of fields (name: value)")
        )
        return None
    lines: dict[Loc, int] = {}
    problems.extend(_duplicate_keys(name, root))
    try:
        _map_lines(root, (), lines, set())
        return model.model_validate(data), lines
    except RecursionError:
        problems.append(Problem(name, 1, "the YAML is nested too deeply"))
        return None
    except ValidationError as error:
        for details in error.errors(include_url=False):
            loc = tuple(details["loc"])
            path_text, message = _describe(details)
            where = f"{path_text}: " if path_text else ""
            problems.append(Problem(name, _line_for(loc, lines), where + message))
        return None


# The line breaks PyYAML counts when it numbers lines.
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


def _parse_yaml(
    text: str, name: str, problems: list[Problem]
) -> tuple[Any, yaml.Node | None] | None:
    # PyYAML's reader refuses control characters as soon as it is made; say where the first is.
    bad = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if bad is not None:
        line = len(_LINE_BREAK.findall(text, 0, bad.start())) + 1
        code = f"U+{ord(bad.group()):04X}"
        problems.append(Problem(name, line, f"the control character {code} is not allowed"))
        return None
    # SafeLoader only: these files come from people, and must never build arbitrary objects.
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        problems.append(Problem(name, line, f"this is not valid YAML: {_yaml_reason(error)}"))
        return None
    except yaml.YAMLError as error:
        problems.append(Problem(name, 1, f"this is not valid YAML: {error}"))
        return None
    except RecursionError:
        problems.append(Problem(name, 1, "the YAML is nested too deeply"))
        return None
    except (ValueError, TypeError, OverflowError) as error:
        # The safe constructors raise these for values such as 2017-02-30 or a 5000-digit number.
        line = _unreadable_scalar_line(root) if root is not None else 1
        problems.append(Problem(name, line, f"a value cannot be read: {error}"))
        return None
    finally:
        loader.dispose()
    return data, root


def _unreadable_scalar_line(root: yaml.Node) -> int:
    """The line of the first scalar the safe constructors reject."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            try:
                yaml.SafeLoader("").construct_object(node)
            except (yaml.YAMLError, ValueError, TypeError, OverflowError):
                return _line(node)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in reversed(node.value) for n in reversed(pair))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
    return _line(root)


def _yaml_reason(error: yaml.MarkedYAMLError) -> str:
    parts = [part for part in (error.context, error.problem) if part]
    return ", ".join(parts) or "unreadable"


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _key(node: yaml.Node) -> object:
    """A mapping key as YAML reads it, as pydantic reports it in an error's loc (`2:` is 2)."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    try:
        key: object = yaml.SafeLoader("").construct_object(node)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):
        return None
    return key if isinstance(key, Hashable) else None


def _map_lines(node: yaml.Node, loc: Loc, lines: dict[Loc, int], seen: set[int]) -> None:
    """Record the line of every path in the node tree (keys give their own line)."""
    lines.setdefault(loc, _line(node))
    # An anchored node reached again through an alias is mapped once: this keeps a recursive or
    # exponential ("billion laughs") alias structure from taking forever.
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = _key(key_node)
            if isinstance(key, str | int):
                lines.setdefault((*loc, key), _line(key_node))
                _map_lines(value_node, (*loc, key), lines, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _map_lines(item, (*loc, index), lines, seen)


def _duplicate_keys(name: str, root: yaml.Node) -> Iterator[Problem]:
    """YAML silently keeps the last of two equal keys; an organizer would lose the first."""
    stack: list[tuple[yaml.Node, Loc]] = [(root, ())]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[object, int] = {}
            for key_node, value_node in node.value:
                key = _key(key_node)
                shown = key if isinstance(key, str | int) else str(key)
                if key is not None and key in first:
                    yield Problem(
                        name,
                        _line(key_node),
                        f"{_path_text((*path, shown))}: the key {_short(key)} appears twice "
                        f"(first at line {first[key]}); only the last one would count",
                    )
                elif key is not None:
                    first[key] = _line(key_node)
                stack.append((value_node, (*path, shown)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*path, i)) for i, item in enumerate(node.value))


def _line_for(loc: Loc, lines: dict[Loc, int]) -> int:
    """The line of the deepest part of `loc` that exists in the file."""
    for end in range(len(loc), -1, -1):
        line = lines.get(loc[:end])
        if line is not None:
            return line
    return 1


def _path_text(loc: Loc) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _short(value: object, limit: int = 40) -> str:
    """A short description of a value from the file (never a repr of a whole structure)."""
    if isinstance(value, str):
        text = repr(value)
        return text if len(text) <= limit else text[: limit - 4] + "...'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, date):
        return "a date"
    if value is None:
        return "nothing"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "fields (name: value)"
    return type(value).__name__


# Patterns in the schema, explained in words for the people who edit the files.
_PATTERNS = {
    "id": "ids are 1-32 lowercase letters, digits and dashes, starting with a letter or digit",
    "seed": "seed is the name of a seed file, like 000_0af73d56a477f512.txt",
    "hashtag": "a hashtag is # followed by letters, digits or _ (no spaces)",
}


def _describe(details: ErrorDetails) -> tuple[str, str]:
    """(field path, friendly message) for one pydantic error."""
    loc: Loc = tuple(details["loc"])
    kind = details["type"]
    ctx = details.get("ctx") or {}
    value = details.get("input")
    field = loc[-1] if loc else ""
    if kind == "missing":
        return _path_text(loc[:-1]), f"missing field {field!r}"
    if kind == "extra_forbidden":
        return _path_text(loc[:-1]), f"unknown field {_short(field)}"
    if kind == "invalid_key":
        return _path_text(loc[:-1]), f"field names must be text, not {_short(field)}"
    path = _path_text(loc)
    if kind == "string_too_long" and isinstance(value, str):
        return path, f"text is {len(value)} characters; the limit is {ctx.get('max_length')}"
    if kind == "string_too_short":
        return path, "must not be empty"
    if kind == "string_pattern_mismatch":
        return path, _PATTERNS.get(str(field), f"does not match {ctx.get('pattern')}")
    if kind == "string_type":
        return path, f"expected text, not {_short(value)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return path, "expected fields (name: value) here"
    if kind in ("tuple_type", "list_type"):
        return path, "expected a list (lines starting with '- ')"
    if kind.startswith("int_"):
        return path, f"expected a whole number, not {_short(value)}"
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = ctx.get("ge", ctx.get("le"))
        return path, f"must be at {'least' if kind == 'greater_than_equal' else 'most'} {bound}"
    if kind == "too_short":
        return path, f"list at least {ctx.get('min_length', 1)} item(s)"
    if kind.startswith(("datetime_", "date_")):
        return path, "expected a local date and time like 2017-06-02 19:00"
    if kind == "value_error":
        return path, str(details["msg"]).removeprefix("Value error, ")
    return path, str(details["msg"])


def _duplicate_ids(
    models: dict[str, BaseModel], lines: dict[str, dict[Loc, int]]
) -> Iterator[Problem]:
    first: dict[str, str] = {}
    for name, keys in ID_LISTS.items():
        model = models.get(name)
        if model is None:
            continue
        for key in keys:
            for index, item in enumerate(getattr(model, key)):
                loc: Loc = (key, index, "id")
                where = f"{name}:{_line_for(loc, lines[name])}"
                if item.id in first:
                    yield Problem(
                        name,
                        _line_for(loc, lines[name]),
                        f"{_path_text(loc)}: duplicate id {item.id!r} "
                        f"(first used at {first[item.id]})",
                    )
                else:
                    first[item.id] = where


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


def _missing_russian(name: str, model: BaseModel, lines: dict[Loc, int]) -> Iterator[Problem]:
    for loc, text in _texts(model, ()):
        if not text.ru:
            yield Problem(
                name,
                _line_for(loc, lines),
                f"{_path_text(loc)}: no Russian translation (ru); English will be shown",
                warning=True,
            )
