"""Templates, the reader's language, and the values every page gets."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from bot.core.dashboard.masking import FEWEST, masked
from bot.core.dashboard.ports import Dashboard

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGES = ("en", "ru")
LANG_COOKIE = "lang"
DASHBOARD = web.AppKey("dashboard", Dashboard)
ENVIRONMENT = web.AppKey("environment", Environment)


def environment() -> Environment:
    """The Jinja2 environment: every value escaped, templates read once."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


def language(request: web.Request) -> str:
    """The reader's language: the switch (?lang=, then its cookie), else the browser's."""
    chosen = request.query.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    for part in request.headers.get("Accept-Language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"


def gettext(request: web.Request) -> Callable[[str], str]:
    translator = request.app[DASHBOARD].translator
    lang = language(request)
    return lambda message: translator.gettext(lang, message)


def ngettext(request: web.Request) -> Callable[[str, str, int], str]:
    translator = request.app[DASHBOARD].translator
    lang = language(request)
    return lambda singular, plural, n: translator.ngettext(lang, singular, plural, n)


def count_text(request: web.Request, count: int) -> str:
    """A count as a page shows it: the number, or "fewer than 10"."""
    shown = masked(count)
    if shown is None:
        _ = gettext(request)
        return _("fewer than {n}").format(n=FEWEST)
    return f"{shown:,}".replace(",", "\u202f")


def count_markup(request: web.Request, count: int) -> Markup:
    """A count in a page, marked `class="count"` so tests find every one (and check that none
    under 10 shows as a number)."""
    return Markup('<span class="count">{}</span>').format(escape(count_text(request, count)))


def remember_language(response: web.StreamResponse, lang: str, secure: bool) -> None:
    """Keep the reader's language choice for a year (a language, nothing about them)."""
    response.set_cookie(
        LANG_COOKIE, lang, max_age=365 * 86400, httponly=True, secure=secure, samesite="Strict"
    )


def render(
    request: web.Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
) -> web.Response:
    """`template` rendered in the reader's language, with the common values."""
    lang = language(request)
    values: dict[str, Any] = {
        "_": gettext(request),
        "ngettext": ngettext(request),
        "count": lambda n: count_markup(request, n),
        "lang": lang,
        "other_lang": "ru" if lang == "en" else "en",
        "path": request.path,
        "grant": request.get("grant"),
        "csrf": request.get("csrf", ""),
    }
    values.update(context or {})
    body = request.app[ENVIRONMENT].get_template(template).render(values)
    response = web.Response(text=body, status=status, content_type="text/html")
    if request.query.get("lang") in LANGUAGES:
        remember_language(response, lang, request.app[DASHBOARD].secure)
    return response
