"""Counted texts: each count, in each language, takes the form its catalog's plural rule gives.

Russian has three forms (1 чат, 2 чата, 5 чатов) chosen by the catalog's Plural-Forms formula;
these tests hold that formula to CLDR (the Unicode plural rules babel ships) for every count a
person may see, and check that each form exists, so no count ever shows an empty text.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from babel import Locale
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from content.i18n import CatalogTranslator, catalog_dir

RUSSIAN_PLURAL_FORMS = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<10 || n%100>=20) ? 1 : 2);"
)
# msgstr[i] of a Russian plural message, by CLDR's plural category of the count.
RUSSIAN_INDEX = {"one": 0, "few": 1, "many": 2}
TRANSLATOR = CatalogTranslator()
RUSSIAN = Locale.parse("ru")


def catalog_path(locale: str, root: Path | None = None) -> Path:
    return (root or catalog_dir()) / locale / "LC_MESSAGES" / "allybot.po"


def plural_messages() -> list[tuple[str, str, tuple[str, ...]]]:
    """(singular, plural, Russian forms) of every counted text."""
    with catalog_path("ru").open("rb") as po:
        catalog = read_po(po)
    return [
        (str(m.id[0]), str(m.id[1]), tuple(m.string))
        for m in catalog
        if m.id and not isinstance(m.id, str)
    ]


PLURALS = plural_messages()


def test_the_catalogs_hold_counted_texts() -> None:
    # Guards the tests below against passing over an empty list.
    assert len(PLURALS) >= 15
    assert ("{count} chat", "{count} chats") in [(s, p) for s, p, _ in PLURALS]


def test_the_russian_catalog_declares_three_forms() -> None:
    with catalog_path("ru").open("rb") as po:
        header = read_po(po).mime_headers
    assert ("Plural-Forms", RUSSIAN_PLURAL_FORMS) in header


def test_every_count_to_a_thousand_takes_its_form_in_both_languages() -> None:
    for n in range(1001):
        index = RUSSIAN_INDEX[RUSSIAN.plural_form(n)]
        for singular, plural, forms in PLURALS:
            assert TRANSLATOR.ngettext("en", singular, plural, n) == (
                singular if n == 1 else plural
            )
            russian = TRANSLATOR.ngettext("ru", singular, plural, n)
            assert russian == forms[index] and russian.strip(), (n, singular)


@given(st.integers(min_value=0, max_value=10**9))
def test_the_russian_formula_agrees_with_cldr_for_any_count(n: int) -> None:
    singular, plural, forms = PLURALS[0]
    index = RUSSIAN_INDEX[RUSSIAN.plural_form(n)]
    assert TRANSLATOR.ngettext("ru", singular, plural, n) == forms[index]


def test_each_counted_text_changes_with_the_count() -> None:
    # A counted text translated as one form would read wrong for most counts.
    for singular, plural, forms in PLURALS:
        assert singular != plural
        assert len(forms) == 3 and forms[0] != forms[2], singular


def test_a_counted_text_missing_a_russian_form_falls_back_to_english(tmp_path: Path) -> None:
    shutil.copytree(catalog_dir(), tmp_path / "locales")
    po_path = catalog_path("ru", tmp_path / "locales")
    po_path.write_text(po_path.read_text().replace('msgstr[1] "{count} чата"', 'msgstr[1] ""'))
    translator = CatalogTranslator(tmp_path / "locales")
    assert translator.ngettext("ru", "{count} chat", "{count} chats", 3) == "{count} chats"
    assert translator.ngettext("ru", "{count} chat", "{count} chats", 5) == "{count} chats"


def test_make_translations_keeps_the_plural_rule(tmp_path: Path) -> None:
    # What `make translations` runs after extracting: it must not reset the three forms.
    shutil.copytree(catalog_dir(), tmp_path / "locales")
    root = tmp_path / "locales"
    options = ["--no-fuzzy-matching", "--ignore-obsolete", "-D", "allybot"]
    template = str(root / "allybot.pot")
    CommandLineInterface().run(
        ["pybabel", "-q", "update", *options, "-i", template, "-d", str(root)]
    )
    with catalog_path("ru", root).open("rb") as po:
        catalog = read_po(po)
    assert ("Plural-Forms", RUSSIAN_PLURAL_FORMS) in catalog.mime_headers
    kept = {str(m.id[0]): tuple(m.string) for m in catalog if m.id and not isinstance(m.id, str)}
    assert kept == {singular: forms for singular, _, forms in PLURALS}
