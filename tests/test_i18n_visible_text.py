"""Every text a person sees goes through the catalogue: no literal text in kv files, UI
modules or the session's published sentences (the scanner itself is checked too)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.i18n_scan import scan_kv, scan_session_python, scan_ui_python

KIOSK = Path(__file__).resolve().parent.parent / "kiosk"
# Data, not layout: colours, font names and the catalogue's own English sources.
UI_DATA_MODULES = frozenset({"texts.py", "theme.py", "palettes.py"})


def _kv_files() -> list[Path]:
    return sorted((KIOSK / "ui").rglob("*.kv"))


def _ui_modules() -> list[Path]:
    return sorted(p for p in (KIOSK / "ui").rglob("*.py") if p.name not in UI_DATA_MODULES)


def _session_modules() -> list[Path]:
    return sorted([*(KIOSK / "session").glob("*.py"), KIOSK / "conference.py",
                   *(KIOSK / "media").glob("*.py")])


def test_the_scan_covers_the_ui() -> None:
    assert len(_kv_files()) >= 15
    assert any(p.name == "in_call.py" for p in _ui_modules())
    assert any(p.name == "error_messages.py" for p in _session_modules())


@pytest.mark.parametrize("path", _kv_files(), ids=lambda p: p.name)
def test_kv_files_show_no_literal_text(path: Path) -> None:
    assert scan_kv(path.read_text(encoding="utf-8"), str(path)) == []


@pytest.mark.parametrize("path", _ui_modules(), ids=lambda p: p.name)
def test_ui_modules_show_no_literal_text(path: Path) -> None:
    assert scan_ui_python(path.read_text(encoding="utf-8"), str(path)) == []


@pytest.mark.parametrize("path", _session_modules(), ids=lambda p: p.name)
def test_the_session_publishes_messages_not_bare_strings(path: Path) -> None:
    assert scan_session_python(path.read_text(encoding="utf-8"), str(path)) == []


def test_the_scanner_finds_literal_text_in_kv() -> None:
    kv = '''
<Thing>:
    Label:
        text: "Join now" if root.ready else app.theme.texts.join
    Label:
        text: "1"
    KeypadKey:
        text: "#"
    Label:
        placeholder: f"PIN for {root.name}"
'''
    found = [f.text for f in scan_kv(kv)]
    assert found == ["Join now", "PIN for "]


def test_the_scanner_finds_literal_text_in_ui_python() -> None:
    source = '''
def update(self):
    self.notice = "Camera missing"
    self.title = self.app.theme.texts.connecting_title.format(name=meeting.label)
    button = Factory.JoinButton(text="Join " + name, icon=self.app.theme.icons.video)
    self.call_time = "0:00"
'''
    assert [f.text for f in scan_ui_python(source)] == ["Camera missing", "Join "]


def test_the_scanner_finds_bare_sentences_in_the_session() -> None:
    source = '''
LOCKED_NOTICE = "The meeting is locked."
OK = fixed_message("ok", "Fine.")
def f(publisher):
    publisher.update(notice="Muted by the host")
    return SessionError(ErrorCode.REFUSED, f"Refused: {reason}")
def g():
    raise PinRejected("Digits only")
def h():
    raise DeviceUnavailable(f"camera {path} is busy")
    return DeviceStatus(DeviceState.DISABLED, "Off")
'''
    assert sorted(f.text for f in scan_session_python(source)) == sorted(
        ["Digits only", "Muted by the host", "Off", "Refused: ", "The meeting is locked.",
         "camera ", " is busy"])
