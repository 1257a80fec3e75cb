"""UI strings: every one translated into Russian, placeholders intact, untranslated reported."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from babel.messages.pofile import read_po

from content.i18n import CatalogTranslator, catalog_dir, untranslated

PLACEHOLDER = re.compile(r"\{(\w*)\}")


def test_every_ui_string_has_a_russian_translation() -> None:
    missing = [msgid for _, _, msgid in untranslated()]
    assert missing == []


def test_translations_keep_every_placeholder() -> None:
    with (catalog_dir() / "ru" / "LC_MESSAGES" / "allybot.po").open("rb") as po:
        for message in read_po(po):
            if message.id and message.string:
                assert sorted(PLACEHOLDER.findall(str(message.id))) == sorted(
                    PLACEHOLDER.findall(str(message.string))
                ), message.id


def test_a_missing_translation_falls_back_to_english_and_is_reported(tmp_path: Path) -> None:
    shutil.copytree(catalog_dir(), tmp_path / "locales")
    po_path = tmp_path / "locales" / "ru" / "LC_MESSAGES" / "allybot.po"
    text = po_path.read_text()
    text = text.replace('msgstr "Об этом чате больше ничего не хранится."', 'msgstr ""')
    po_path.write_text(text)
    translator = CatalogTranslator(tmp_path / "locales")
    message = "Nothing about this chat is stored any more."
    assert translator.gettext("ru", message) == message
    assert message in [msgid for _, _, msgid in untranslated(tmp_path / "locales")]


def test_unknown_locales_fall_back_to_english() -> None:
    assert CatalogTranslator().gettext("xx", "Done.") == "Done."
