"""/start and /help: what the bot is and the menu of ways to help."""

from __future__ import annotations

from bot.core.messages import ActionButton, Reply, Request
from handlers.deps import Deps
from handlers.policy import is_group_admin, is_organizer
from handlers.settings import discreet_buttons, discreet_explained


def menu(request: Request, deps: Deps) -> tuple[ActionButton, ...]:
    """The main actions as buttons, so nobody has to type a command."""
    _ = deps.gettext(request)
    return (
        ActionButton(_("💶 Donate"), "donate"),
        ActionButton(_("📅 Events"), "events"),
        ActionButton(_("✍️ Petitions and letters"), "petition"),
        ActionButton(_("🕯 29 March: remember"), "remember"),
        ActionButton(_("🔔 Reminders"), "subscribe"),
        ActionButton(_("⚙️ Settings"), "settings"),
    )


async def start(request: Request, deps: Deps) -> Reply:
    """Greet and show the menu."""
    _ = deps.gettext(request)
    text = "\n\n".join(
        (
            _(
                "Hello! I help you turn sympathy into action for LGBTI people persecuted in "
                "Chechnya: people have been detained, tortured and killed for who they are, and "
                "many need to flee Russia."
            ),
            _("Choose how you want to help:"),
            _(
                "I store only this chat's id and the choices you make here, never your name or "
                "your messages. /forget erases everything at any time."
            ),
        )
    )
    prefs = await deps.store.get_chat(request.chat)
    if prefs is None or prefs.discreet is None:
        # Offered once: until the chat chooses either way.
        state = _("Discreet mode is on.") if request.discreet else _("Discreet mode is off.")
        text += "\n\n" + f"{state} {discreet_explained(_)}"
        return Reply(text, buttons=(*menu(request, deps), *discreet_buttons(_)))
    return Reply(text, buttons=menu(request, deps))


async def help_(request: Request, deps: Deps) -> Reply:
    """List the commands for who asks (organizers theirs; a group's admins, in it, theirs)."""
    _ = deps.gettext(request)
    organizer = is_organizer(request, deps)
    admin = is_group_admin(request)
    lines = [_("What I can do:")]
    lines += [
        f"/{command.name} — {_(command.summary)}"
        for command in deps.commands
        if command.name not in ("start", "help")
        and command.shown_to(organizer=organizer, admin=admin)
    ]
    return Reply("\n".join(lines), buttons=menu(request, deps))
