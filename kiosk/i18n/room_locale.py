"""Which language and locale the room speaks: `KIOSK_LANGUAGE`, else the system locale.

The catalogue is chosen by language (`de_CH` uses the `de` catalogue); dates and
times use the whole locale through Babel's CLDR data (`de_CH`, `en_US`). A bare
`en` means British formats (24-hour clock, "Tuesday 1 December"); `en_US` gives
the US 12-hour clock and month-first dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError

# Every language with a full catalogue in kiosk/i18n/locale/.
LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es", "it", "nl", "nb", "sv", "pt")
FALLBACK_LOCALE = "en_GB"
# Language codes that name one of ours under another code.
_ALIASES = {"no": "nb", "nn": "nb"}
# Bare languages whose formats are those of a particular country.
_DEFAULT_TERRITORY = {"en": "en_GB", "nb": "nb_NO"}  # CLDR "pt" is Brazilian, as ours
# POSIX order of precedence for the language of messages.
_LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


@dataclass(frozen=True)
class RoomLocale:
    """The catalogue's `language` (one of LANGUAGES) and the Babel `locale` for dates."""

    language: str = "en"
    locale: str = FALLBACK_LOCALE


def parse_room_locale(value: str) -> RoomLocale | None:
    """`de`, `de_CH`, `de-CH`, `nb_NO.UTF-8` -> a RoomLocale; None when it is not one of ours."""
    text = value.strip().split(".")[0].split("@")[0].replace("-", "_")
    if not text or text.upper() in ("C", "POSIX"):
        return None
    try:
        parsed = Locale.parse(text)
    except (ValueError, UnknownLocaleError):
        return None
    language = _ALIASES.get(parsed.language, parsed.language)
    if language not in LANGUAGES:
        return None
    if parsed.territory:
        locale = f"{language}_{parsed.territory}"
        try:
            Locale.parse(locale)
        except (ValueError, UnknownLocaleError):
            locale = _DEFAULT_TERRITORY.get(language, language)
    else:
        locale = _DEFAULT_TERRITORY.get(language, language)
    return RoomLocale(language=language, locale=locale)


def choose_room_locale(setting: str, environ: Mapping[str, str]) -> RoomLocale:
    """`KIOSK_LANGUAGE` when set (and one of ours), else the system locale's."""
    chosen = parse_room_locale(setting) if setting else None
    return chosen or system_room_locale(environ)


def system_room_locale(environ: Mapping[str, str]) -> RoomLocale:
    """The system locale's language when it is one of ours, else English."""
    for name in _LOCALE_VARIABLES:
        value = environ.get(name, "").strip()
        if value:
            return parse_room_locale(value) or RoomLocale()
    return RoomLocale()
