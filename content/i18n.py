"""UI strings through gettext catalogs (.po files translators know), read with Babel.

The .po files are read and compiled in memory at start, so there is no build step and no binary
.mo file in git. A locale without a catalog, or a message without a translation, falls back to the
English msgid.
"""

from __future__ import annotations

import gettext
import io
from importlib import resources
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

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
            compiled = io.BytesIO()
            write_mo(compiled, catalog)
            compiled.seek(0)
            self._catalogs[locale] = gettext.GNUTranslations(compiled)
        self.locales: tuple[str, ...] = tuple(self._catalogs)

    def gettext(self, locale: str | None, message: str) -> str:
        catalog = self._catalogs.get(locale or "en") or self._catalogs["en"]
        return catalog.gettext(message)
