"""/petition: petitions to sign, then letters and calls that add pressure."""

from __future__ import annotations

from bot.core.messages import ActionButton, Button, Reply, Request, UrlButton
from handlers.deps import Deps


async def petition(request: Request, deps: Deps) -> Reply:
    """Petitions with sign links, then the other actions; `/petition letter` shows the template."""
    _ = deps.gettext(request)
    content = deps.campaign.petitions
    locale = request.locale
    if request.args[:1] == ("letter",):
        templates = [a for a in content.actions if a.template is not None]
        text = "\n\n".join(
            f"{a.title.get(locale)}\n\n{a.template.get(locale)}"
            for a in templates
            if a.template is not None
        )
        return Reply(
            _("Copy this letter, add one sentence of your own, and send it:") + "\n\n" + text
        )
    parts = [content.intro.get(locale)]
    if content.petitions:
        parts.append(
            "\n".join(
                f"✍️ {p.title.get(locale)}: {p.description.get(locale)}" for p in content.petitions
            )
        )
    parts.append(
        "\n\n".join(f"{a.title.get(locale)}\n{a.text.get(locale)}" for a in content.actions)
    )
    buttons: list[Button] = [
        UrlButton(_("Sign: {title}").format(title=p.title.get(locale)), p.url)
        for p in content.petitions
    ]
    buttons += [UrlButton(a.title.get(locale), a.url) for a in content.actions if a.url]
    if any(a.template for a in content.actions):
        buttons.append(ActionButton(_("📝 Letter to your MP"), "petition", ("letter",)))
    buttons.append(ActionButton(_("🔔 Tell me about petitions"), "subscribe", ("petitions",)))
    return Reply("\n\n".join(parts), buttons=tuple(buttons))
