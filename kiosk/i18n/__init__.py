"""The room's language: gettext catalogues (built with Babel) and a `Translator` per language.

No Kivy here: the UI builds its texts through a `Translator`, the CLI stays English.
Every message is whole (named placeholders, `ngettext` for plurals), never glued together.
The session's room-visible sentences are `Message`s (kiosk/i18n/message.py): English
for the CLI, rendered in the room's language by `Translator.render`.
"""

from kiosk.i18n.clock_format import ClockFormat
from kiosk.i18n.message import N_, Message, MessageText, PluralText, fixed_message, verbatim
from kiosk.i18n.room_locale import (
    LANGUAGES,
    RoomLocale,
    choose_room_locale,
    parse_room_locale,
    system_room_locale,
)
from kiosk.i18n.translator import DEFAULT_LANGUAGE, DOMAIN, LOCALE_DIR, Translator

__all__ = (
    "DEFAULT_LANGUAGE",
    "DOMAIN",
    "LANGUAGES",
    "LOCALE_DIR",
    "N_",
    "ClockFormat",
    "Message",
    "MessageText",
    "PluralText",
    "RoomLocale",
    "Translator",
    "choose_room_locale",
    "fixed_message",
    "parse_room_locale",
    "system_room_locale",
    "verbatim",
)
