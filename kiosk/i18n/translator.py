"""One language's catalogue: `gettext`, `ngettext` and `render`, English when none exists."""

from __future__ import annotations

import gettext
from pathlib import Path

from kiosk.i18n.message import Message

DOMAIN = "kiosk"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT_LANGUAGE = "en"


class Translator:
    """Translates the kiosk's messages into `language` (a code like `de` or `nb`).

    A language without a compiled catalogue falls back to the English source texts.
    """

    def __init__(self, language: str = DEFAULT_LANGUAGE, locale_dir: Path = LOCALE_DIR) -> None:
        self.language = language
        self._catalogue: gettext.NullTranslations = gettext.translation(
            DOMAIN, localedir=str(locale_dir), languages=[language], fallback=True
        )

    @property
    def has_catalogue(self) -> bool:
        """True when a compiled catalogue for the language was found."""
        return type(self._catalogue) is not gettext.NullTranslations

    def gettext(self, message: str) -> str:
        """`message` in the room's language."""
        return self._catalogue.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """The singular or plural form for `count`, in the room's language."""
        return self._catalogue.ngettext(singular, plural, count)

    def render(self, text: str) -> str:
        """A sentence from the session in the room's language.

        A `Message` is translated from its source and filled with its parameters; a
        plain string (a text nobody made a Message yet) is shown as it is.
        """
        if not isinstance(text, Message):
            return text
        if text.plural is not None and text.count_param is not None:
            count = text.params.get(text.count_param, 0)
            template = self.ngettext(text.source, text.plural, int(count))
        else:
            template = self.gettext(text.source)
        try:
            return template.format(**text.params)
        except (KeyError, IndexError, ValueError):
            # A catalogue with a broken placeholder must not blank the screen: English.
            return str.__str__(text)
