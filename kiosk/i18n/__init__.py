"""The room's language: gettext catalogues (built with Babel) and a `Translator` per language.

No Kivy here: the UI builds its texts through a `Translator`, the CLI stays English.
Every message is whole (named placeholders, `ngettext` for plurals), never glued together.
"""

from kiosk.i18n.translator import DEFAULT_LANGUAGE, DOMAIN, LOCALE_DIR, Translator

__all__ = ("DEFAULT_LANGUAGE", "DOMAIN", "LOCALE_DIR", "Translator")
