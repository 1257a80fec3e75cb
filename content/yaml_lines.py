"""Parse a content file's YAML safely and remember which line each field came from.

pydantic reports where an error is as a path (`events[0].starts`); organizers need a line number.
So the YAML is first composed into nodes, which carry their lines, and only then into plain
data for pydantic. The nodes also show what plain data hides: a key written twice.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterator
from typing import Any

import yaml

from content.problems import Loc, Problem, path_text, short

# Where each path of a file's data starts: {("events", 0, "starts"): 12, ...}.
LineMap = dict[Loc, int]

# The line breaks PyYAML counts when it numbers lines.
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


def parse_yaml(
    text: str, name: str, problems: list[Problem]
) -> tuple[Any, yaml.Node | None] | None:
    """(data, root node) of the file `name`, or None after adding why it cannot be read."""
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


def node_line(node: yaml.Node) -> int:
    """The 1-based line a node starts on (PyYAML counts from 0)."""
    return int(node.start_mark.line) + 1


def line_map(root: yaml.Node) -> LineMap:
    """The line of every path in the file; RecursionError if the nodes nest too deeply."""
    lines: LineMap = {}
    _map_lines(root, (), lines, set())
    return lines


def line_for(loc: Loc, lines: LineMap) -> int:
    """The line of the deepest part of `loc` that exists in the file."""
    for end in range(len(loc), -1, -1):
        line = lines.get(loc[:end])
        if line is not None:
            return line
    return 1


def duplicate_keys(name: str, root: yaml.Node) -> Iterator[Problem]:
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
                        node_line(key_node),
                        f"{path_text((*path, shown))}: the key {short(key)} appears twice "
                        f"(first at line {first[key]}); only the last one would count",
                    )
                elif key is not None:
                    first[key] = node_line(key_node)
                stack.append((value_node, (*path, shown)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*path, i)) for i, item in enumerate(node.value))


def _yaml_reason(error: yaml.MarkedYAMLError) -> str:
    parts = [part for part in (error.context, error.problem) if part]
    return ", ".join(parts) or "unreadable"


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
                return node_line(node)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in reversed(node.value) for n in reversed(pair))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
    return node_line(root)


def _key(node: yaml.Node) -> object:
    """A mapping key as YAML reads it, as pydantic reports it in an error's loc (`2:` is 2)."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    try:
        key: object = yaml.SafeLoader("").construct_object(node)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):
        return None
    return key if isinstance(key, Hashable) else None


def _map_lines(node: yaml.Node, loc: Loc, lines: LineMap, seen: set[int]) -> None:
    """Record the line of every path in the node tree (keys give their own line)."""
    lines.setdefault(loc, node_line(node))
    # An anchored node reached again through an alias is mapped once: this keeps a recursive or
    # exponential ("billion laughs") alias structure from taking forever.
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = _key(key_node)
            if isinstance(key, str | int):
                lines.setdefault((*loc, key), node_line(key_node))
                _map_lines(value_node, (*loc, key), lines, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _map_lines(item, (*loc, index), lines, seen)
