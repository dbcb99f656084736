"""One language's catalogue: `gettext` and `ngettext`, English when no catalogue exists."""

from __future__ import annotations

import gettext
from pathlib import Path

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
