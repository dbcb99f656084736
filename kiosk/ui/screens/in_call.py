"""In call: the far end's video filling the screen, self-view in a corner, and an auto-hiding
control bar (microphone, camera, keypad for DTMF, leave)."""

from __future__ import annotations

import time

from kivy.animation import Animation
from kivy.clock import Clock, ClockEvent
from kivy.input.motionevent import MotionEvent
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.media.interface import MediaCall
from kiosk.session_state import DeviceState, SessionSnapshot, SessionState
from kiosk.ui.screens.call_time import format_call_time
from kiosk.ui.screens.kiosk_screen import KioskScreen
from kiosk.ui.texts import participants_text
from kiosk.ui.widgets.detach_when_transparent import DetachWhenTransparent
from kiosk.ui.widgets.keypad import Keypad


class InCallScreen(KioskScreen):
    """The call. Any touch shows the control bar; it hides again after a few quiet seconds."""

    meeting_name = StringProperty("")
    participants_text = StringProperty("")
    call_time = StringProperty("0:00")
    notice = StringProperty("")
    mic_muted = BooleanProperty(False)
    camera_muted = BooleanProperty(False)
    bar_visible = BooleanProperty(True)
    self_view_visible = BooleanProperty(True)
    dtmf_open = BooleanProperty(False)
    dtmf_digits = StringProperty("")
    has_media = BooleanProperty(False)
    bar_hide_seconds = NumericProperty(5.0)  # the kv rule sets the theme's

    def __init__(self, **kwargs: object) -> None:
        self._hide_event: ClockEvent | None = None
        self._timer_event: ClockEvent | None = None
        self._connected_since: float | None = None
        self._media: MediaCall | None = None
        self._shown = False
        super().__init__(**kwargs)

    def on_kv_post(self, _base_widget: object) -> None:
        layer = self.ids.remote.parent
        overlays = [w for w in layer.children if w is not self.ids.remote.__self__]
        self._detacher = DetachWhenTransparent(layer, overlays)

    # --- session -----------------------------------------------------------------
    def update(self, snapshot: SessionSnapshot) -> None:
        self.meeting_name = self.app.meeting_title(snapshot)
        self.participants_text = participants_text(self.app.theme.translator,
                                                   snapshot.participant_count)
        self.mic_muted = snapshot.microphone_muted
        self.camera_muted = snapshot.camera_muted
        self._connected_since = snapshot.connected_since
        if snapshot.state is SessionState.RECONNECTING:
            self.notice = self.app.theme.texts.notice_reconnecting
        elif snapshot.notice:
            # e.g. a mute the node did not confirm, in the room's language
            self.notice = self.app.theme.translator.render(snapshot.notice)
        elif snapshot.camera.state is DeviceState.UNAVAILABLE:
            self.notice = self.app.theme.texts.notice_camera_unavailable
        else:
            self.notice = ""
        self.attach(self.app.media_call())
        self._update_video_activity()
        self._tick_timer(0)

    def attach(self, media: MediaCall | None) -> None:
        """Show this call's remote and local video (None: a call without media)."""
        if media is self._media:
            return
        self._media = media
        self.has_media = media is not None
        self.ids.remote.source = media.remote_video if media is not None else None
        self.ids.self_view.source = media.local_video if media is not None else None

    def _update_video_activity(self) -> None:
        self.ids.remote.active = self._shown
        self.ids.self_view.active = (
            self._shown and self.self_view_visible and not self.camera_muted and not self.dtmf_open
        )

    # --- screen life ---------------------------------------------------------------
    def on_pre_enter(self, *_args: object) -> None:
        self._shown = True
        self._update_video_activity()
        self._timer_event = Clock.schedule_interval(self._tick_timer, 1.0)
        self.show_bar()

    def on_leave(self, *_args: object) -> None:
        self._shown = False
        self._update_video_activity()
        for event in (self._timer_event, self._hide_event):
            if event is not None:
                event.cancel()
        self._timer_event = self._hide_event = None
        self.dtmf_open = False
        self.dtmf_digits = ""
        self.attach(None)
        self.ids.remote.clear_picture()
        self.ids.self_view.clear_picture()

    def _tick_timer(self, _dt: float) -> None:
        since = self._connected_since
        text = format_call_time(time.monotonic() - since) if since is not None else "0:00"
        if text != self.call_time:
            self.call_time = text

    # --- control bar ------------------------------------------------------------------
    def on_touch_down(self, touch: MotionEvent) -> bool:
        if not self.bar_visible:
            self.show_bar()
            return True  # the waking touch only shows the bar, it presses nothing
        self._schedule_hide()
        return super().on_touch_down(touch)

    def show_bar(self) -> None:
        """Bring the control bar back and restart its hide timer."""
        Animation.cancel_all(self.ids.bar, "opacity")
        self.ids.bar.opacity = 1
        self.bar_visible = True
        self._schedule_hide()

    def hide_bar(self) -> None:
        """Fade the control bar out (not while the DTMF keypad is open)."""
        if self.dtmf_open:
            return
        self.bar_visible = False
        Animation(opacity=0, duration=0.3).start(self.ids.bar)

    def _schedule_hide(self) -> None:
        if self._hide_event is not None:
            self._hide_event.cancel()
        self._hide_event = Clock.schedule_once(lambda _dt: self.hide_bar(), self.bar_hide_seconds)

    # --- buttons ------------------------------------------------------------------------
    def toggle_microphone(self) -> None:
        """Mute or unmute the room's microphone."""
        self.app.actions.set_microphone_muted(not self.mic_muted)

    def toggle_camera(self) -> None:
        """Stop or start sending the room's camera."""
        self.app.actions.set_camera_muted(not self.camera_muted)

    def toggle_self_view(self) -> None:
        """Tap on the self-view hides it; the small eye button brings it back."""
        self.self_view_visible = not self.self_view_visible
        self._update_video_activity()

    def open_dtmf(self) -> None:
        """Show the keypad that sends tones to the meeting."""
        self.dtmf_digits = ""
        self.dtmf_open = True
        self._update_video_activity()
        self.show_bar()

    def close_dtmf(self) -> None:
        """Hide the DTMF keypad."""
        self.dtmf_open = False
        self._update_video_activity()
        self._schedule_hide()

    def dtmf_key(self, key: str) -> None:
        """A key on the DTMF keypad: send its tone now."""
        self.dtmf_digits = (self.dtmf_digits + key)[-24:]
        self.app.actions.send_dtmf(key)

    def active_keypad(self) -> Keypad | None:
        return self.ids.dtmf_keypad if self.dtmf_open else None
