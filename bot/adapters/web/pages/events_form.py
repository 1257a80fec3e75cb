"""A new event in a form that checks each field as it is typed, with the chat's own checks.

Each field goes through the step-by-step /eventform's check (EventsDesk.check, which is
Dispatcher.check_answer): the same refusal the chat gives, and the same echo ("Starts: Saturday
5 December 2026, 19:00 (Berlin).") so a misread date shows before the preview. Without
JavaScript the server checks on submit and shows the form again with its errors and values;
with it, static/app.js asks POST /events/check as the person types. A form whose fields all
pass becomes the chat's /newevent: its preview, with Publish and Discard.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from aiohttp import web

from bot.adapters.web.acting import act, as_request
from bot.adapters.web.pages.events import answered, desk
from bot.adapters.web.render import gettext, render
from bot.core.commands import UserError

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
# /newevent takes the fields in this order (its args); the form shows them in it too.
NEWEVENT = ("title", "start", "end", "timezone", "place", "description")
# A start is read in the venue's zone, an end after the start: checked once those pass.
NEEDS = {"start": ("timezone",), "end": ("timezone", "start")}


@dataclass(frozen=True, slots=True)
class Checked:
    """One field's verdict: ok (with the echo, if any), refused (with why), or not yet checked
    (None: empty while typing, or waiting for the field it is read with)."""

    ok: bool | None
    message: str = ""


async def check_fields(
    request: web.Request, values: Mapping[str, str], *, typing: bool
) -> dict[str, Checked]:
    """Every field checked as the chat checks its answer. While `typing`, an empty field is
    not refused yet (nobody wants "a title needs 1 character" before they began)."""
    _ = gettext(request)
    parts = desk(request)
    order = parts.form_fields
    waiting = {
        "start": _("Checked once the time zone is valid: the start is read in it."),
        "end": _("Checked once the start is valid."),
    }
    results: dict[str, Checked] = {}
    for index, name in enumerate(order):
        value = values.get(name, "")
        if typing and not value.strip():
            results[name] = Checked(None)
            continue
        if any(results[need].ok is not True for need in NEEDS.get(name, ()) if need in results):
            results[name] = Checked(None, waiting[name])
            continue
        answers = tuple(values.get(field, "") for field in order[: index + 1])
        results[name] = await _check(request, parts.form_command, answers)
    return results


async def _check(request: web.Request, command: str, answers: tuple[str, ...]) -> Checked:
    _ = gettext(request)
    try:
        echo = await desk(request).check(as_request(request, command, *answers))
    except UserError as error:
        return Checked(False, error.text)
    except Exception as error:
        # The typed value is the person's words: only the kind of failure is logged.
        log.warning("an event field's check failed: %s", type(error).__name__)
        return Checked(False, _("I could not read that. Try writing it another way."))
    return Checked(True, echo)


def typed(form: Mapping[str, object]) -> dict[str, str]:
    return {name: str(form.get(name, "")) for name in NEWEVENT}


@routes.get("/events/new")
async def new_form(request: web.Request) -> web.StreamResponse:
    return render(request, "events_new.html", {"values": typed({}), "checks": {}})


@routes.post("/events/new")
async def create(request: web.Request) -> web.StreamResponse:
    """All fields pass: the chat's /newevent and its preview. Else the form again, kept."""
    values = typed(await request.post())
    checks = await check_fields(request, values, typing=False)
    if not all(checked.ok for checked in checks.values()):
        context = {"values": values, "checks": checks, "refused": True}
        return render(request, "events_new.html", context, status=422)
    reply = await act(request, "newevent", *(values[name].strip() for name in NEWEVENT))
    return answered(request, reply, "/events")


@routes.post("/events/check")
async def check(request: web.Request) -> web.StreamResponse:
    """The fields' verdicts as JSON, for the form's script: {"start": {"ok": true,
    "message": "Starts: …"}, …}."""
    values = typed(await request.post())
    checks = await check_fields(request, values, typing=True)
    return web.json_response({name: asdict(checked) for name, checked in checks.items()})
