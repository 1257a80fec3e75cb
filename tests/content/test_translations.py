"""UI strings: every one translated into Russian, placeholders intact, untranslated reported."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from content.i18n import CatalogTranslator, catalog_dir, untranslated

PLACEHOLDER = re.compile(r"\{(\w*)\}")


def test_every_ui_string_has_a_russian_translation() -> None:
    missing = [msgid for _, _, msgid in untranslated()]
    assert missing == []


def test_translations_keep_every_placeholder() -> None:
    with (catalog_dir() / "ru" / "LC_MESSAGES" / "allybot.po").open("rb") as po:
        for message in read_po(po):
            if not message.id or not message.string:
                continue
            if isinstance(message.id, str):
                assert sorted(PLACEHOLDER.findall(message.id)) == sorted(
                    PLACEHOLDER.findall(str(message.string))
                ), message.id
                continue
            # A counted text: every Russian form names what the English plural names.
            english = set(PLACEHOLDER.findall(message.id[1]))
            for form in message.string:
                assert set(PLACEHOLDER.findall(form)) == english, (message.id, form)


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


def msgfmt_check(po_path: Path) -> str | None:
    """GNU msgfmt's complaints about one catalog (formats, header, plural forms), or None."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.fail(
            "msgfmt not found: install GNU gettext (Debian/Ubuntu: apt-get install gettext)"
        )
    result = subprocess.run(
        [msgfmt, "--check", "-o", "/dev/null", str(po_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    return None if result.returncode == 0 else result.stderr


def test_every_catalog_passes_gnu_msgfmt_check() -> None:
    catalogs = sorted(catalog_dir().glob("*/LC_MESSAGES/*.po"))
    assert catalogs
    for po_path in catalogs:
        problems = msgfmt_check(po_path)
        assert problems is None, problems


def test_msgfmt_catches_a_plural_form_that_loses_its_count(tmp_path: Path) -> None:
    broken = tmp_path / "allybot.po"
    text = (catalog_dir() / "ru" / "LC_MESSAGES" / "allybot.po").read_text()
    broken.write_text(text.replace('msgstr[2] "{count} чатов"', 'msgstr[2] "{cnt} чатов"'))
    problems = msgfmt_check(broken)
    assert problems is not None and "cnt" in problems


def test_without_msgfmt_the_check_says_to_install_gettext(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", "")
    with pytest.raises(pytest.fail.Exception, match="install GNU gettext"):
        msgfmt_check(catalog_dir() / "ru" / "LC_MESSAGES" / "allybot.po")
