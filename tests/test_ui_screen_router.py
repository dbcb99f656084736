"""Which screen shows which session state (pure logic, no Kivy)."""

from __future__ import annotations

import pytest

from kiosk.session_state import ErrorCode, SessionError, SessionSnapshot, SessionState
from kiosk.ui.navigation.screen_names import ScreenName
from kiosk.ui.navigation.screen_router import LocalMode, UiContext, can_retry, screen_for


@pytest.mark.parametrize(
    ("state", "screen"),
    [
        (SessionState.IDLE, ScreenName.HOME),
        (SessionState.CONNECTING, ScreenName.CONNECTING),
        (SessionState.PIN_REQUIRED, ScreenName.PIN),
        (SessionState.PIN_OPTIONAL, ScreenName.PIN),
        (SessionState.EXTENSION_REQUIRED, ScreenName.MEETING_ID),
        (SessionState.WAITING_FOR_HOST, ScreenName.WAITING),
        (SessionState.CONNECTED, ScreenName.IN_CALL),
        (SessionState.RECONNECTING, ScreenName.IN_CALL),
        (SessionState.DISCONNECTING, ScreenName.CONNECTING),
        (SessionState.ERROR, ScreenName.ERROR),
    ],
)
def test_each_session_state_has_its_screen(state: SessionState, screen: ScreenName) -> None:
    assert screen_for(SessionSnapshot(state=state), UiContext()) is screen


@pytest.mark.parametrize("mode", list(LocalMode))
def test_local_modes_only_apply_while_idle(mode: LocalMode) -> None:
    idle = screen_for(SessionSnapshot(), UiContext(mode=mode))
    assert idle.value == mode.value
    in_call = screen_for(SessionSnapshot(state=SessionState.CONNECTED), UiContext(mode=mode))
    assert in_call is ScreenName.IN_CALL


def test_a_dismissed_error_shows_home_until_the_next_error() -> None:
    error = SessionSnapshot(state=SessionState.ERROR,
                            error=SessionError(ErrorCode.NODE_UNREACHABLE, "x"))
    assert screen_for(error, UiContext(error_dismissed=True)) is ScreenName.HOME
    assert screen_for(error, UiContext(unexpected_error=True)) is ScreenName.ERROR
    assert screen_for(SessionSnapshot(), UiContext(unexpected_error=True)) is ScreenName.ERROR


def test_try_again_only_where_it_can_help() -> None:
    def snapshot(code: ErrorCode) -> SessionSnapshot:
        return SessionSnapshot(state=SessionState.ERROR, alias="meet.open",
                               error=SessionError(code, "x"))

    assert can_retry(snapshot(ErrorCode.NODE_UNREACHABLE))
    assert can_retry(snapshot(ErrorCode.MEDIA_FAILED))
    assert not can_retry(snapshot(ErrorCode.CONFERENCE_NOT_FOUND))
    assert not can_retry(snapshot(ErrorCode.SSO_REQUIRED))
    assert not can_retry(SessionSnapshot(state=SessionState.ERROR,
                                         error=SessionError(ErrorCode.INTERNAL, "x")))
