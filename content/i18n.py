"""UI strings through gettext catalogs (.po files translators know), read with Babel.

The .po files are read and compiled in memory at start, so there is no build step and no binary
.mo file in git. A locale without a catalog, or a message without a translation, falls back to the
English msgid. Counted texts follow each catalog's own Plural-Forms rule (Russian has three
forms: 1 чат, 2 чата, 5 чатов); a plural message missing any of its forms falls back to English
whole, never to an empty form.
"""

from __future__ import annotations

import gettext
import io
from datetime import datetime
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.core.timezones import zone_display

DOMAIN = "allybot"


def catalog_dir() -> Path:
    return Path(str(resources.files("content") / "locales"))


class CatalogTranslator:
    """The Translator port over gettext catalogs, one per locale."""

    def __init__(self, locales_dir: Path | None = None) -> None:
        root = locales_dir or catalog_dir()
        self._catalogs: dict[str, gettext.NullTranslations] = {"en": gettext.NullTranslations()}
        for po_path in sorted(root.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            locale = po_path.parent.parent.name
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=locale)
            for message in list(catalog):
                # write_mo keeps a plural message with an empty form; it would show as nothing.
                if message.id and incomplete(message.string):
                    catalog.delete(message.id, message.context)
            compiled = io.BytesIO()
            write_mo(compiled, catalog)
            compiled.seek(0)
            self._catalogs[locale] = gettext.GNUTranslations(compiled)
        self.locales: tuple[str, ...] = tuple(self._catalogs)

    def gettext(self, locale: str | None, message: str) -> str:
        catalog = self._catalogs.get(locale or "en") or self._catalogs["en"]
        return catalog.gettext(message)

    def ngettext(self, locale: str | None, singular: str, plural: str, n: int) -> str:
        catalog = self._catalogs.get(locale or "en") or self._catalogs["en"]
        return catalog.ngettext(singular, plural, n)


def incomplete(translation: str | tuple[str, ...] | list[str] | None) -> bool:
    """No translation, or a plural one with a form left empty."""
    if isinstance(translation, str):
        return not translation
    return not translation or not all(translation)


def msgid_text(msgid: str | tuple[str, ...] | list[str]) -> str:
    """A message's English text as people search for it: a plural one by its singular."""
    return msgid if isinstance(msgid, str) else msgid[0]


def format_when(moment: datetime, zone: ZoneInfo, locale: str | None) -> str:
    """'Friday, 2 June 2017, 19:00 (Asia/Hong_Kong)' in the reader's language and zone."""
    local = moment.astimezone(zone)
    text = format_datetime(local, "EEEE, d MMMM y, HH:mm", locale=locale or "en")
    return f"{text} ({zone.key})"


def format_time_range(starts: datetime, ends: datetime, zone: ZoneInfo, locale: str | None) -> str:
    """The start in full and the end as a time, or in full when it falls on another day."""
    start_local, end_local = starts.astimezone(zone), ends.astimezone(zone)
    start = format_datetime(start_local, "EEEE, d MMMM y, HH:mm", locale=locale or "en")
    pattern = "HH:mm" if start_local.date() == end_local.date() else "EEEE, d MMMM y, HH:mm"
    end = format_datetime(end_local, pattern, locale=locale or "en")
    return f"{start}–{end} ({zone_display(zone.key)})"


def untranslated(locales_dir: Path | None = None) -> list[tuple[Path, int, str]]:
    """(catalog, line, msgid) for every UI string a catalog does not translate yet."""
    root = locales_dir or catalog_dir()
    template_path = root / f"{DOMAIN}.pot"
    with template_path.open("rb") as template_file:
        expected = {m.id for m in read_po(template_file) if m.id}
    missing = []
    for po_path in sorted(root.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        present = {m.id for m in catalog if m.id}
        missing += [
            (po_path, m.lineno or 1, msgid_text(m.id))
            for m in catalog
            if m.id and incomplete(m.string)
        ]
        missing += [
            (po_path, 1, msgid_text(msgid)) for msgid in sorted(expected - present, key=str)
        ]
    return missing
