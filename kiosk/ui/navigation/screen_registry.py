"""Which class draws each screen, and which screens show video or stay still."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from kiosk.ui.navigation.screen_names import ScreenName
from kiosk.ui.screens.admin import AdminScreen
from kiosk.ui.screens.admin_unlock import AdminUnlockScreen
from kiosk.ui.screens.connecting import ConnectingScreen
from kiosk.ui.screens.error import ErrorScreen
from kiosk.ui.screens.home import HomeScreen
from kiosk.ui.screens.idle import IdleScreen
from kiosk.ui.screens.in_call import InCallScreen
from kiosk.ui.screens.kiosk_screen import KioskScreen
from kiosk.ui.screens.meeting_id import MeetingIdScreen
from kiosk.ui.screens.pin import PinScreen
from kiosk.ui.screens.waiting import WaitingScreen

SCREEN_CLASSES: Mapping[ScreenName, type[KioskScreen]] = MappingProxyType({
    ScreenName.HOME: HomeScreen,
    ScreenName.MEETING_ID: MeetingIdScreen,
    ScreenName.PIN: PinScreen,
    ScreenName.CONNECTING: ConnectingScreen,
    ScreenName.WAITING: WaitingScreen,
    ScreenName.IN_CALL: InCallScreen,
    ScreenName.ERROR: ErrorScreen,
    ScreenName.IDLE: IdleScreen,
    ScreenName.ADMIN_UNLOCK: AdminUnlockScreen,
    ScreenName.ADMIN: AdminScreen,
})

# Video plays on these: the display runs at its full rate.
VIDEO_SCREENS = frozenset({ScreenName.IN_CALL, ScreenName.WAITING})
# Nothing animates on these: once nobody touches them, fewer display ticks suffice.
STILL_SCREENS = frozenset({ScreenName.HOME, ScreenName.IDLE, ScreenName.ADMIN, ScreenName.ERROR})
