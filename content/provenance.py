"""What `content check` says about the content's truth over time: links repeated across items,
items nobody has checked for a while, and open items past their last day.

A link repeated for two items usually means one of them points at the wrong page (as when a news
site's appeal borrowed the charity's own address), so it is an error. Age is only a warning: the
bot still works, but someone should look again before people are sent there.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from pydantic import BaseModel

from content.problems import Loc, Problem, path_text
from content.schema import UNCHECKED_LIVE, Link, Offer, Provenance, Status
from content.yaml_lines import LineMap, line_for

# How long a person's check of a link and its claim stays trustworthy.
STALE_AFTER = timedelta(days=90)


def walk(value: object, loc: Loc = ()) -> Iterator[tuple[Loc, object]]:
    """Every value inside a validated model, with its path, parents before children."""
    yield loc, value
    if isinstance(value, BaseModel):
        for field in type(value).model_fields:
            yield from walk(getattr(value, field), (*loc, field))
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            yield from walk(item, (*loc, index))


def _links(value: object, loc: Loc) -> Iterator[tuple[Loc, str]]:
    """(path, address) of every link in the item, each language's address separately."""
    for path, found in walk(value, loc):
        if isinstance(found, Link):
            yield from ((path, url) for url in dict.fromkeys(found.all))
        elif path and path[-1] == "url" and isinstance(found, str):
            yield path, found


def repeated_links(models: dict[str, BaseModel], lines: dict[str, LineMap]) -> Iterator[Problem]:
    """Each link that a second item reuses, pointing back at the first item that has it."""
    first: dict[str, tuple[Loc, str]] = {}
    for name, model in models.items():
        for path, url in _links(model, ()):
            # The item is what holds the `url` (or `page`) field.
            owner = (name, *path[:-1])
            line = line_for(path, lines[name])
            if url not in first:
                first[url] = (owner, f"{name}:{line}")
            elif first[url][0] != owner:
                yield Problem(
                    name,
                    line,
                    f"{path_text(path)}: the link {url} is already used by another item "
                    f"(at {first[url][1]}); each item needs its own page",
                )


def freshness(name: str, model: BaseModel, lines: LineMap, today: date) -> Iterator[Problem]:
    """Warnings for items last checked more than 90 days ago and open items past `closes`."""
    for loc, value in walk(model):
        if not isinstance(value, Provenance):
            continue
        if today - value.checked > STALE_AFTER:
            yield Problem(
                name,
                line_for((*loc, "checked"), lines),
                f"{path_text((*loc, 'checked'))}: last checked on {value.checked}, more than "
                f"{STALE_AFTER.days} days ago; check the link and the claim again and update "
                "the date",
                warning=True,
            )
        if value.checked_by == UNCHECKED_LIVE and value.status is Status.OPEN:
            yield Problem(
                name,
                line_for((*loc, "checked_by"), lines),
                f"{path_text((*loc, 'checked_by'))}: written from the source articles and not "
                "yet checked by a person; open its link (if it has one), check the claim, then "
                "set checked_by to your role and checked to today",
                warning=True,
            )
        if (
            isinstance(value, Offer)
            and value.status is Status.OPEN
            and value.closes is not None
            and value.closes < today
        ):
            yield Problem(
                name,
                line_for((*loc, "closes"), lines),
                f"{path_text((*loc, 'closes'))}: closed on {value.closes} and no longer shown; "
                "set its status to closed or historic",
                warning=True,
            )
