"""/subscribe and /unsubscribe: the reminder topics a chat receives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.core.messages import ActionButton, Reply, Request
from bot.core.ports import TOPICS
from handlers.deps import Deps
from handlers.prefs import current_prefs


def topic_names(_: Callable[[str], str]) -> dict[str, str]:
    """Each topic's name in the reader's language."""
    return {
        "events": _("events and rallies"),
        "petitions": _("petitions and letters"),
        "remembrance": _("the Day of Remembrance (29 March)"),
        "appeals": _("urgent appeals"),
    }


def _listing(topics: frozenset[str], _: Callable[[str], str]) -> str:
    names = topic_names(_)
    if not topics:
        return _("You receive no reminders.")
    return _("You receive reminders about: {topics}.").format(
        topics=", ".join(names[t] for t in TOPICS if t in topics)
    )


async def subscribe(request: Request, deps: Deps) -> Reply:
    """Add a topic, or show the topics as buttons when none is named."""
    _ = deps.gettext(request)
    names = topic_names(_)
    prefs = await current_prefs(request, deps)
    if not request.args:
        missing = [t for t in TOPICS if t not in prefs.topics]
        return Reply(
            _listing(prefs.topics, _) + "\n" + _("Which reminders do you want?"),
            buttons=tuple(ActionButton("🔔 " + names[t], "subscribe", (t,)) for t in missing),
        )
    topic = request.args[0]
    await deps.store.save_chat(replace(prefs, topics=prefs.topics | {topic}))
    return Reply(
        _("Done: you will get reminders about {topic}.").format(topic=names[topic])
        + "\n"
        + _("Change your time zone or quiet hours with /settings; stop with /unsubscribe."),
        buttons=(ActionButton(_("⚙️ Settings"), "settings"),),
    )


async def unsubscribe(request: Request, deps: Deps) -> Reply:
    """Remove a topic or all of them, or show the current ones as buttons."""
    _ = deps.gettext(request)
    names = topic_names(_)
    prefs = await deps.store.get_chat(request.chat)
    topics = prefs.topics if prefs else frozenset()
    if not request.args:
        buttons = [
            ActionButton("🔕 " + names[t], "unsubscribe", (t,)) for t in TOPICS if t in topics
        ]
        if topics:
            buttons.append(ActionButton(_("🔕 Stop all reminders"), "unsubscribe", ("all",)))
        return Reply(_listing(topics, _), buttons=tuple(buttons))
    if prefs is None or not topics:
        return Reply(_("You receive no reminders, so there is nothing to stop."))
    remaining = frozenset() if request.args[0] == "all" else topics - {request.args[0]}
    await deps.store.save_chat(replace(prefs, topics=remaining))
    return Reply(
        _("Done.")
        + " "
        + _listing(remaining, _)
        + "\n"
        + _("To erase everything stored about this chat, send /forget.")
    )
