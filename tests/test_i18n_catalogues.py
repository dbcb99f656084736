"""Every language's catalogue has every message of the code, translated, with the same
placeholders, and its compiled .mo (what ships) says the same as its .po."""

from __future__ import annotations

import gettext
import re
import string
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from kiosk.i18n import LANGUAGES, LOCALE_DIR, Translator

ROOT = Path(__file__).resolve().parent.parent
# The same keywords as the Makefile's I18N_KEYWORDS (checked below).
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "fixed_message": (2,),
            "MessageText": (2,), "PluralText": (2, 3)}
TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]


@cache
def code_messages() -> frozenset[str | tuple[str, str]]:
    """Every marked message in kiosk/ (what `make i18n-extract` puts in the template)."""
    found: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / "kiosk"), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found.add(tuple(message) if isinstance(message, tuple) else message)
    return frozenset(found)


def _catalogue(lang: str) -> Catalog:
    with open(LOCALE_DIR / lang / "LC_MESSAGES" / "kiosk.po", "rb") as handle:
        return read_po(handle, locale=lang)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_makefile_extracts_with_the_same_keywords() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    line = next(x for x in makefile.splitlines() if x.startswith("I18N_KEYWORDS"))
    for keyword in KEYWORDS:
        assert re.search(rf"-k {keyword}\b", line), keyword


def test_the_code_has_the_messages_we_know() -> None:
    messages = code_messages()
    assert "Join {name}" in messages  # kiosk/ui/texts.py
    assert "Incorrect PIN — try again" in messages  # the session (fixed_message)
    assert "Too many wrong PINs. Try again in {seconds} s" in messages  # MessageText
    assert ("{count} participant", "{count} participants") in messages  # ngettext
    assert len(messages) > 100


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_in_the_catalogue_and_translated(lang: str) -> None:
    catalogue = _catalogue(lang)
    entries = {(tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id): m
               for m in catalogue if m.id}
    missing = sorted(str(m) for m in code_messages() if m not in entries)
    assert missing == [], f"{lang}: not in the catalogue (run `make i18n`): {missing}"
    untranslated = sorted(str(key) for key, m in entries.items()
                          if key in code_messages()
                          and (not all(m.string) if isinstance(m.string, tuple) else not m.string))
    assert untranslated == [], f"{lang}: translate in {lang}/LC_MESSAGES/kiosk.po: {untranslated}"
    fuzzy = sorted(str(key) for key, m in entries.items() if m.fuzzy)
    assert fuzzy == [], f"{lang}: fuzzy entries need a translator's look"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_every_placeholder(lang: str) -> None:
    for message in _catalogue(lang):
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set().union(*(_fields(s) for s in sources))
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            assert _fields(text) == wanted, (lang, message.id, text)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_compiled_catalogue_matches_the_po(lang: str) -> None:
    mo = LOCALE_DIR / lang / "LC_MESSAGES" / "kiosk.mo"
    assert mo.is_file(), f"{mo} missing: run `make i18n-compile`"
    with open(mo, "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in _catalogue(lang):
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            singular, plural = message.id
            assert compiled.ngettext(singular, plural, 1) == message.string[0], (lang, singular)
            assert compiled.ngettext(singular, plural, 5) == message.string[-1], (lang, plural)
        else:
            assert compiled.gettext(message.id) == message.string, (lang, message.id)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_translator_finds_each_shipped_catalogue(lang: str) -> None:
    translator = Translator(lang)
    assert translator.has_catalogue
    assert translator.gettext("Join") != "Join"


def test_plural_forms_follow_the_language() -> None:
    def participants(lang: str, n: int) -> str:
        return Translator(lang).ngettext("{count} participant", "{count} participants",
                                         n).format(count=n)

    assert participants("de", 1) == "1 Teilnehmer"
    assert participants("nb", 3) == "3 deltakere"
    assert participants("fr", 0) == "0 participant"  # French: 0 is singular
    assert participants("nl", 0) == "0 deelnemers"
    assert participants("pt", 2) == "2 participantes"


def test_english_has_no_catalogue_and_shows_the_sources() -> None:
    translator = Translator("en")
    assert translator.gettext("Join {name}") == "Join {name}"
