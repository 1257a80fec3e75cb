"""/petition: petitions open today, then letters and calls that add pressure, then the earlier
petitions and calls told as history (never with a Sign button)."""

from __future__ import annotations

from bot.core.messages import ActionButton, Button, Reply, Request, UrlButton
from bot.core.timezones import zone_named
from content.schema import Status
from handlers.deps import Deps


async def petition(request: Request, deps: Deps) -> Reply:
    """Petitions with sign links, then the other actions; `/petition letter` shows the template."""
    _ = deps.gettext(request)
    content = deps.campaign.petitions
    locale = request.locale
    actions = [a for a in content.actions if a.status is Status.OPEN]
    if request.args[:1] == ("letter",):
        text = "\n\n".join(
            f"{a.title.get(locale)}\n\n{a.template.get(locale)}"
            for a in actions
            if a.template is not None
        )
        return Reply(
            _("Copy this letter, add one sentence of your own, and send it:") + "\n\n" + text
        )
    # Judged now, in the asker's zone: a petition disappears the day after its last day.
    today = deps.clock().astimezone(zone_named(request.tz)).date()
    petitions = [p for p in content.petitions if p.offered(today)]
    history = [
        f"{p.title.get(locale)}: {p.description.get(locale)}"
        for p in content.petitions
        if p.status is Status.HISTORIC
    ] + [
        f"{a.title.get(locale)}: {a.text.get(locale)}"
        for a in content.actions
        if a.status is Status.HISTORIC
    ]
    parts = [content.intro.get(locale)]
    if petitions:
        parts.append(
            "\n".join(f"✍️ {p.title.get(locale)}: {p.description.get(locale)}" for p in petitions)
        )
    else:
        parts.append(_("No petition is open to sign right now."))
    parts.append("\n\n".join(f"{a.title.get(locale)}\n{a.text.get(locale)}" for a in actions))
    if history:
        parts.append(_("What happened before (no longer open):") + "\n" + "\n".join(history))
    buttons: list[Button] = [
        UrlButton(_("Sign: {title}").format(title=p.title.get(locale)), p.url.get(locale))
        for p in petitions
        if p.url is not None
    ]
    buttons += [UrlButton(a.title.get(locale), a.url.get(locale)) for a in actions if a.url]
    if any(a.template for a in actions):
        buttons.append(ActionButton(_("📝 Letter to your MP"), "petition", ("letter",)))
    buttons.append(ActionButton(_("🔔 Tell me about petitions"), "subscribe", ("petitions",)))
    return Reply("\n\n".join(parts), buttons=tuple(buttons))
