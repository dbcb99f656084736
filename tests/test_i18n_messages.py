"""The session's sentences are Messages: English for the CLI, the room's language on screen."""

from __future__ import annotations

import json
import pickle
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.config import ConfigError, Settings, load_settings
from kiosk.i18n import (
    ClockFormat,
    Message,
    MessageText,
    PluralText,
    RoomLocale,
    Translator,
    choose_room_locale,
    fixed_message,
    parse_room_locale,
    verbatim,
)
from kiosk.infinity.errors import ConferenceNotFound, Refused
from kiosk.session.error_messages import describe_error, disconnect_message
from kiosk.session.pin_policy import INCORRECT_PIN_NOTICE, cooldown_notice
from kiosk.session_state import ErrorCode

TUESDAY = datetime(2026, 12, 1, 14, 5)


def test_a_message_is_its_english_sentence_with_code_and_params() -> None:
    cooldown = MessageText("pin_cooldown", "Too many wrong PINs. Try again in {seconds} s")
    message = cooldown(seconds=30)
    assert message == "Too many wrong PINs. Try again in 30 s"
    assert isinstance(message, str) and isinstance(message, Message)
    assert (message.code, dict(message.params)) == ("pin_cooldown", {"seconds": 30})
    assert json.dumps({"notice": message}) == '{"notice": "Too many wrong PINs. Try again in 30 s"}'
    assert str(ValueError(message)) is message  # str() keeps the Message
    copy = pickle.loads(pickle.dumps(message))
    assert copy == message and copy.code == "pin_cooldown"


def test_render_translates_the_source_and_fills_the_params() -> None:
    german = Translator("de")
    assert german.render(cooldown_notice(12.2)) == "Zu viele falsche PINs. Erneut versuchen in 13 s"
    assert german.render(INCORRECT_PIN_NOTICE) == "Falsche PIN – bitte erneut versuchen"
    assert Translator("en").render(INCORRECT_PIN_NOTICE) == "Incorrect PIN — try again"
    # A text nobody made a Message yet is shown as it is, never dropped.
    assert german.render("Plain text") == "Plain text"


def test_plural_messages_pick_the_form_of_the_count() -> None:
    waiting = PluralText("participants", "{count} participant", "{count} participants")
    assert waiting(count=1) == "1 participant" and waiting(count=4) == "4 participants"
    assert Translator("sv").render(waiting(count=4)) == "4 deltagare"
    assert Translator("it").render(waiting(count=1)) == "1 partecipante"


def test_a_node_reason_is_shown_verbatim_in_every_language() -> None:
    reason = disconnect_message("Die Sitzung wurde vom Moderator beendet")
    assert reason.code == "node_reason"
    assert Translator("fr").render(reason) == "Die Sitzung wurde vom Moderator beendet."
    assert Translator("fr").render(verbatim("x", "{odd} text")) == "{odd} text"


def test_session_errors_carry_codes_and_render_per_language() -> None:
    error = describe_error(ConferenceNotFound("meet.nobody"))
    assert error.code is ErrorCode.CONFERENCE_NOT_FOUND
    assert error.message == "This meeting could not be found. Check the meeting ID."
    assert error.message.code == "conference_not_found"
    assert Translator("nb").render(error.message) == "Fant ikke dette møtet. Sjekk møte-ID-en."
    refused = describe_error(Refused("", 403))
    assert Translator("es").render(refused.message) == (
        "El servicio de reuniones no ha permitido que esta sala se una.")


def test_a_broken_catalogue_placeholder_falls_back_to_english(tmp_path: Path) -> None:
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    catalogue = Catalog(locale="de")
    catalogue.add("Try again in {seconds} s", "Erneut in {sekunden} s")
    target = tmp_path / "de" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with open(target / "kiosk.mo", "wb") as handle:
        write_mo(handle, catalogue)
    broken = Translator("de", locale_dir=tmp_path)
    message = MessageText("x", "Try again in {seconds} s")(seconds=5)
    assert broken.render(message) == "Try again in 5 s"
    assert fixed_message("y", "Fine") == "Fine"


# ---------------------------------------------------------------- locale, dates, clock

@pytest.mark.parametrize(("setting", "language", "locale"), [
    ("de", "de", "de"), ("de_CH", "de", "de_CH"), ("de-AT", "de", "de_AT"),
    ("en", "en", "en_GB"), ("en_US", "en", "en_US"), ("nb_NO.UTF-8", "nb", "nb_NO"),
    ("no", "nb", "nb_NO"), ("pt_BR", "pt", "pt_BR"), ("sv", "sv", "sv"),
])
def test_room_locales(setting: str, language: str, locale: str) -> None:
    assert parse_room_locale(setting) == RoomLocale(language, locale)


@pytest.mark.parametrize("setting", ["ja", "xx", "C", "POSIX", "", "de_", "123"])
def test_other_languages_are_not_ours(setting: str) -> None:
    assert parse_room_locale(setting) is None


def test_the_system_locale_decides_when_nothing_is_set() -> None:
    assert choose_room_locale("", {"LANG": "fr_FR.UTF-8"}) == RoomLocale("fr", "fr_FR")
    assert choose_room_locale("", {"LC_ALL": "it_IT.UTF-8", "LANG": "fr_FR"}).language == "it"
    assert choose_room_locale("", {"LANG": "ja_JP.UTF-8"}) == RoomLocale()  # English
    assert choose_room_locale("", {"LANG": "C.UTF-8"}) == RoomLocale()
    assert choose_room_locale("", {}) == RoomLocale()
    assert choose_room_locale("nl", {"LANG": "fr_FR.UTF-8"}).language == "nl"


@pytest.mark.parametrize(("locale", "date", "clock"), [
    ("en_GB", "Tuesday 1 December", "14:05"),
    ("en_US", "Tuesday, December 1", "2:05\u202fPM"),
    ("de", "Dienstag, 1. Dezember", "14:05"),
    ("fr", "Mardi 1 décembre", "14:05"),
    ("es", "Martes, 1 de diciembre", "14:05"),
    ("it", "Martedì 1 dicembre", "14:05"),
    ("nl", "Dinsdag 1 december", "14:05"),
    ("nb_NO", "Tirsdag 1. desember", "14:05"),
    ("sv", "Tisdag 1 december", "14:05"),
    ("pt", "Terça-feira, 1 de dezembro", "14:05"),
])
def test_dates_and_clock_as_the_locale_writes_them(locale: str, date: str, clock: str) -> None:
    formats = ClockFormat(locale)
    assert formats.date_text(TUESDAY) == date
    assert formats.time_text(TUESDAY).replace(" ", "\u202f") == clock


def test_the_clock_override_wins_over_the_locale() -> None:
    assert ClockFormat("de", clock_24h=False).time_text(TUESDAY).startswith("2:05")
    assert not ClockFormat("de", clock_24h=False).uses_24h
    assert ClockFormat("en_US", clock_24h=True).time_text(TUESDAY) == "14:05"
    assert ClockFormat("en_US").time_text(datetime(2026, 12, 1, 9, 7)).startswith("9:07")


# ---------------------------------------------------------------- settings

def test_language_and_look_settings_are_read_and_checked() -> None:
    settings = load_settings(env_file=None, require_node=False, environ={
        "KIOSK_LANGUAGE": "de_CH", "KIOSK_CLOCK_24H": "false", "KIOSK_THEME": "High-Contrast",
        "KIOSK_TEXT_SCALE": "1.4"})
    assert (settings.language, settings.clock_24h, settings.theme, settings.text_scale) == (
        "de_CH", False, "high-contrast", 1.4)
    defaults = Settings()
    assert (defaults.language, defaults.clock_24h, defaults.theme, defaults.text_scale) == (
        "", None, "dark", 1.0)


@pytest.mark.parametrize(("key", "value", "says"), [
    ("KIOSK_LANGUAGE", "klingon", "is not one of en, de, fr, es, it, nl, nb, sv, pt"),
    ("KIOSK_THEME", "pink", "is not one of dark, light, high-contrast"),
    ("KIOSK_TEXT_SCALE", "2", "out of range (1 to 1.6)"),
    ("KIOSK_TEXT_SCALE", "big", "is not a number"),
    ("KIOSK_CLOCK_24H", "sometimes", "is not true or false"),
])
def test_bad_look_settings_name_the_key(key: str, value: str, says: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(env_file=None, require_node=False, environ={key: value})
    assert str(raised.value).startswith(f"{key}: ") and says in str(raised.value)


def test_the_example_env_file_documents_the_new_settings() -> None:
    example = (Path(__file__).resolve().parent.parent / ".env.example").read_text()
    for key in ("KIOSK_LANGUAGE=", "KIOSK_CLOCK_24H=", "KIOSK_THEME=", "KIOSK_TEXT_SCALE="):
        assert key in example


def test_the_admin_screen_shows_device_reasons_in_the_rooms_language(tmp_path: Path) -> None:
    from kiosk.media.camera_source import NO_CAMERA
    from kiosk.media.opened_source import disabled
    from kiosk.session_state import DeviceState, DeviceStatus, SessionSnapshot
    from kiosk.ui.admin.diagnostics import collect_diagnostics
    from kiosk.ui.device.device_probe import scan_devices
    from kiosk.ui.texts import build_texts

    german = Translator("de")
    snapshot = SessionSnapshot(camera=DeviceStatus(DeviceState.UNAVAILABLE, NO_CAMERA))
    rows = collect_diagnostics(Settings(node="https://node.example"), snapshot, True, "",
                               scan_devices(tmp_path), build_texts(german), render=german.render)
    by_label = {row.label: row.value for row in rows}
    assert by_label["Kamera"] == "auto: nicht verfügbar (keine Kamera angeschlossen)"
    assert NO_CAMERA == "no camera connected"  # what logs and /healthz show
    assert german.render(disabled("Microphone").status.reason) == (
        "Mikrofon in den Einstellungen ausgeschaltet")
