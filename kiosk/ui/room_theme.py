"""The running app's theme from the room's settings: language, clock, colours, text size."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from kiosk.config import Settings
from kiosk.i18n import ClockFormat, Translator, choose_room_locale
from kiosk.ui.palettes import PALETTES
from kiosk.ui.theme import Sizes, Theme

log = logging.getLogger(__name__)


def theme_for(settings: Settings, environ: Mapping[str, str] | None = None) -> Theme:
    """`KIOSK_LANGUAGE` (else the system locale, else English), `KIOSK_CLOCK_24H`,
    `KIOSK_THEME` and `KIOSK_TEXT_SCALE` as one Theme."""
    room = choose_room_locale(settings.language, os.environ if environ is None else environ)
    translator = Translator(room.language)
    if room.language != "en" and not translator.has_catalogue:
        log.warning("No compiled catalogue for %s (run `make i18n`): showing English",
                    room.language)
    log.info("Language %s (%s formats), theme %s, text scale %.2f", room.language,
             room.locale, settings.theme, settings.text_scale)
    return Theme(
        name=settings.theme,
        palette=PALETTES[settings.theme],
        sizes=Sizes().with_text_scale(settings.text_scale),
        translator=translator,
        clock=ClockFormat(room.locale, settings.clock_24h),
    )
