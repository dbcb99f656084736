"""In call: the far end's video filling the screen, self-view in a corner, and an auto-hiding
control bar (microphone, camera, keypad for DTMF, people, volume, captions, layout, leave).

The people panel (roster and host controls), toasts (messages, waiting guests, results)
and the meeting's overlays (hold, splash screen) are widgets of their own; this screen
feeds them from the snapshot and the batched roster.

While someone presents, the slides fill the screen (letterboxed) and the people video
moves to a picture-in-picture beside the self-view; a tap on it swaps the two. The
full-screen `remote` view and the `pip` view just change sources, so no widget is
re-stacked. A banner names the presenter for a few seconds; the info panel names
whoever speaks; live captions show as two large lines at the bottom."""

from __future__ import annotations

import time

from kivy.animation import Animation
from kivy.clock import Clock, ClockEvent
from kivy.input.motionevent import MotionEvent
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.media.interface import MediaCall
from kiosk.meeting_view_state import MeetingView as StageView
from kiosk.meeting_view_state import PresentationSource
from kiosk.session.room_view import MeetingView, RosterView
from kiosk.session_state import DeviceState, SessionSnapshot, SessionState
from kiosk.ui.screens.call_time import format_call_time
from kiosk.ui.screens.kiosk_screen import KioskScreen
from kiosk.ui.screens.meeting_notices import message_text, result_text
from kiosk.ui.texts import guests_waiting_text, participants_text
from kiosk.ui.widgets.bar_toggle import BarToggle
from kiosk.ui.widgets.detach_when_transparent import DetachWhenTransparent
from kiosk.ui.widgets.keypad import Keypad
from kiosk.ui.widgets.kiosk_button import IconButton


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
    presenting = BooleanProperty(False)  # slides are drawn (stream or JPEG)
    swapped = BooleanProperty(False)  # people full screen, slides in the PiP
    pip_shown = BooleanProperty(False)
    banner_text = StringProperty("")
    banner_shown = BooleanProperty(False)
    speaker_text = StringProperty("")
    captions_available = BooleanProperty(False)
    captions_shown = BooleanProperty(False)
    layouts_available = BooleanProperty(False)
    layouts_open = BooleanProperty(False)
    bar_button_width = NumericProperty(84)  # design px; narrower when the bar would not fit
    bar_button_height = NumericProperty(72)  # design px; taller for two-line captions
    bar_volume_width = NumericProperty(250)  # design px; down to 200 for the buttons' sake
    bar_hide_seconds = NumericProperty(5.0)  # the kv rule sets the theme's
    panel_open = BooleanProperty(False)
    is_host = BooleanProperty(False)
    waiting_count = NumericProperty(0)
    covered = BooleanProperty(False)  # hold or splash screen over the video
    meeting_pill = StringProperty("")

    def __init__(self, **kwargs: object) -> None:
        self._hide_event: ClockEvent | None = None
        self._timer_event: ClockEvent | None = None
        self._connected_since: float | None = None
        self._media: MediaCall | None = None
        self._shown = False
        self._view = StageView()
        self._banner_event: ClockEvent | None = None
        self._banner_for: float | None = None
        self._meeting = MeetingView()
        self._waiting_seen = 0
        super().__init__(**kwargs)

    def on_kv_post(self, _base_widget: object) -> None:
        # Control-bar buttons that apply only sometimes (captions, layout) leave the bar
        # while hidden, so the others close up; strong references keep them alive.
        self._bar_buttons = list(reversed(self.ids.bar.children))
        self._fit_trigger = Clock.create_trigger(self._fit_bar)
        for button in self._bar_buttons:
            if isinstance(button, BarToggle):
                button.bind(shown=self._sync_bar)
            if isinstance(button, IconButton):
                button.bind(natural_height=self._fit_trigger)
                button.ids.caption.bind(fitted_size=self._fit_trigger)
        self._sync_bar()
        self.bind(size=self._fit_trigger)
        self.ids.bar.bind(minimum_width=self._fit_trigger)
        # The layout thumbnails are drawn at the UI scale: redrawn when it changes.
        self.app.bind(u=self._rescale_layouts)
        layer = self.ids.remote.parent
        overlays = [w for w in layer.children if w is not self.ids.remote.__self__]
        self._detacher = DetachWhenTransparent(layer, overlays)
        self.app.room.confirm_remove = self.ids.panel.ask_remove
        self.app.room.watch_roster(self.show_roster)

    # --- session -----------------------------------------------------------------
    def update(self, snapshot: SessionSnapshot) -> None:
        self.meeting_name = self.app.meeting_title(snapshot)
        self.participants_text = participants_text(self.app.theme.translator,
                                                   snapshot.participant_count)
        self.mic_muted = snapshot.microphone_muted
        self.camera_muted = snapshot.camera_muted
        self._connected_since = snapshot.connected_since
        if snapshot.node_lost_since is not None and snapshot.notice:
            # The session's own sentence: the meeting service is not answering (or busy).
            self.notice = snapshot.notice
        elif snapshot.state is SessionState.RECONNECTING and snapshot.meeting.call_end_reason:
            self.notice = self.app.theme.texts.call_ended_reason.format(
                reason=snapshot.meeting.call_end_reason)
        elif snapshot.state is SessionState.RECONNECTING:
            self.notice = self.app.theme.texts.notice_reconnecting
        elif snapshot.notice:
            # e.g. a mute the node did not confirm, in the room's language
            self.notice = self.app.theme.translator.render(snapshot.notice)
        elif snapshot.camera.state is DeviceState.UNAVAILABLE:
            self.notice = self.app.theme.texts.notice_camera_unavailable
        else:
            self.notice = ""
        self.attach(self.app.media_call())
        self._show_meeting(snapshot)
        self._show_view(snapshot.view, snapshot.role == "HOST")
        self._update_video_activity()
        self._tick_timer(0)

    def _show_meeting(self, snapshot: SessionSnapshot) -> None:
        """The meeting's flags, overlays and new events (toasts) from the snapshot."""
        texts = self.app.theme.texts
        icons = self.app.theme.icons
        meeting, before = snapshot.meeting, self._meeting
        self._meeting = meeting
        self.is_host = snapshot.role == "HOST"
        self.ids.panel.show_meeting(self.is_host, meeting.locked, meeting.guests_muted,
                                    meeting.hand_raised, bool(meeting.breakout_name))
        self.ids.hold.shown = meeting.on_hold
        self.ids.splash.show(meeting.splash)
        self.covered = meeting.on_hold or meeting.splash is not None
        if meeting.moving:
            self.meeting_pill = (texts.moving_to.format(name=meeting.breakout_name)
                                 if meeting.breakout_name else texts.moving_media)
        elif meeting.breakout_name:
            self.meeting_pill = texts.breakout_pill.format(name=meeting.breakout_name)
        else:
            self.meeting_pill = ""
        toasts = self.ids.toasts
        result = meeting.last_result
        if result is not None and result != before.last_result:
            text, warning = result_text(texts, result)
            toasts.push(text, icons.alert if warning else icons.check, key="result",
                        warning=warning)
        message = meeting.last_message
        if message is not None and message != before.last_message:
            toasts.push(message_text(texts, message), icons.message, seconds=6.0)
        if meeting.breakout_returned and not before.breakout_returned:
            toasts.push(texts.back_in_meeting, icons.breakout, key="breakout")

    def show_roster(self, view: RosterView) -> None:
        """A new batch of the roster: the panel, and a toast when guests start waiting."""
        self.ids.panel.show_roster(view)
        waiting = len(view.waiting)
        self.waiting_count = waiting
        if waiting > self._waiting_seen and self.is_host and not self.panel_open:
            self.ids.toasts.push(guests_waiting_text(self.app.theme.translator, waiting),
                                 self.app.theme.icons.people, key="lobby", seconds=8.0,
                                 on_tap=self.open_panel)
        elif not waiting:
            self.ids.toasts.dismiss("lobby")
        self._waiting_seen = waiting

    def attach(self, media: MediaCall | None) -> None:
        """Show this call's remote and local video (None: a call without media)."""
        if media is self._media:
            return
        self._media = media
        self.has_media = media is not None
        self.ids.self_view.source = media.local_video if media is not None else None
        self.app.room.volume.attach(media)
        self._arrange_stage()

    def _fit_bar(self, *_args: object) -> None:
        """Narrow the bar's buttons (down to 60 design px) so that the whole bar fits,
        give their captions one size (the largest at which every one fits) and make the
        bar as tall as its tallest button needs (a caption wrapped onto two lines)."""
        bar, u = self.ids.bar, self.app.u
        buttons = [w for w in bar.children if isinstance(w, IconButton)]
        if not buttons or u <= 0:
            return
        volume = self.ids.volume.width
        others = bar.minimum_width - sum(w.width for w in buttons) - volume  # gaps, padding
        room = (self.width - 2 * u * self.app.theme.sizes.margin * 0.6 - others) / u
        # The volume slider gives up some width before the buttons get narrower.
        volume_width = max(200.0, min(250.0, room - 84.0 * len(buttons)))
        fitted = max(60.0, min(84.0, (room - volume_width) / len(buttons)))
        if abs(volume_width - self.bar_volume_width) > 0.5:
            self.bar_volume_width = volume_width
        if abs(fitted - self.bar_button_width) > 0.5:
            self.bar_button_width = fitted
        sizes = [b.ids.caption.fitted_size for b in buttons if b.text and b.ids.caption.fitted_size]
        ceiling = min(sizes) if sizes else 0.0
        for button in buttons:
            if abs(button.ids.caption.ceiling - ceiling) > 0.05:
                button.ids.caption.ceiling = ceiling
        tallest = max(72.0, max(b.natural_height for b in buttons) / u)
        if abs(tallest - self.bar_button_height) > 0.5:
            self.bar_button_height = tallest

    def _sync_bar(self, *_args: object) -> None:
        bar = self.ids.bar
        wanted = [b for b in self._bar_buttons if not isinstance(b, BarToggle) or b.shown]
        if list(reversed(bar.children)) != wanted:
            bar.clear_widgets()
            for button in wanted:
                bar.add_widget(button)

    # --- presentation, speaker, captions, layouts -------------------------------------
    def _show_view(self, view: StageView, is_host: bool) -> None:
        self._view = view
        texts = self.app.theme.texts
        presentation = view.presentation
        if presentation.active and presentation.started_at != self._banner_for:
            self._banner_for = presentation.started_at
            self.banner_text = (texts.presenting.format(name=presentation.presenter_name)
                                if presentation.presenter_name else texts.someone_presenting)
            self._show_banner()
        elif not presentation.active:
            self._banner_for = None
            self.banner_shown = False
            self.swapped = False
        self.speaker_text = (texts.speaking.format(name=view.speaker_name)
                             if view.speaker_name else "")
        self.captions_available = view.captions.available
        self.captions_shown = view.captions.shown
        self.ids.captions_overlay.show_lines(view.captions.lines, texts.captions_waiting)
        self.layouts_available = is_host and bool(view.layouts.thumbnails)
        if not self.layouts_available:
            self.layouts_open = False
        self.ids.layout_picker.show_choice(view.layouts, self.app.u)
        self._arrange_stage()

    def _rescale_layouts(self, *_args: object) -> None:
        self.ids.layout_picker.show_choice(self._view.layouts, self.app.u)

    def _arrange_stage(self) -> None:
        """Which video fills the screen and which sits in the PiP."""
        media = self._media
        people = media.remote_video if media is not None else None
        presentation = self._view.presentation
        slides = (self.app.session.presentation_video
                  if presentation.active and presentation.source is not PresentationSource.MAIN
                  else None)
        self.presenting = slides is not None
        if slides is None:
            full, small = people, None
        elif self.swapped:
            full, small = people, slides
        else:
            full, small = slides, people
        if self.ids.remote.source is not full:
            self.ids.remote.source = full
        if self.ids.pip.source is not small:
            self.ids.pip.source = small
        self.pip_shown = small is not None
        self._update_video_activity()

    def swap_stage(self) -> None:
        """A tap on the PiP: slides and people change places."""
        if self.presenting:
            self.swapped = not self.swapped
            self._arrange_stage()

    def _show_banner(self) -> None:
        self.banner_shown = True
        if self._banner_event is not None:
            self._banner_event.cancel()
        self._banner_event = Clock.schedule_once(
            lambda _dt: setattr(self, "banner_shown", False),
            self.app.theme.sizes.presenter_banner_seconds)

    def toggle_captions(self) -> None:
        """The CC button: live captions on or off."""
        self.app.actions.set_live_captions(not self.captions_shown)

    def toggle_layouts(self) -> None:
        """The Layout button: open or close the host's layout picker."""
        self.layouts_open = not self.layouts_open and self.layouts_available
        if self.layouts_open:
            self.dtmf_open = False
        self._update_video_activity()
        self.show_bar()

    def choose_layout(self, layout: str) -> None:
        """A thumbnail was tapped: ask the meeting for that layout."""
        self.app.actions.choose_layout(layout)

    def _update_video_activity(self) -> None:
        # Nothing to decode for the screen while a hold or splash screen covers the call.
        self.ids.remote.active = self._shown and not self.covered
        self.ids.pip.active = (self._shown and self.pip_shown and not self.dtmf_open
                               and not self.covered)
        self.ids.self_view.active = (
            self._shown and self.self_view_visible and not self.camera_muted and not self.dtmf_open
            and not self.covered
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
        for event in (self._timer_event, self._hide_event, self._banner_event):
            if event is not None:
                event.cancel()
        self._timer_event = self._hide_event = self._banner_event = None
        self.dtmf_open = False
        self.layouts_open = False
        self.swapped = False
        self.dtmf_digits = ""
        self.panel_open = False
        self.ids.toasts.clear()
        self.attach(None)
        self.ids.remote.clear_picture()
        self.ids.pip.clear_picture()
        self.ids.self_view.clear_picture()

    def _tick_timer(self, _dt: float) -> None:
        since = self._connected_since
        text = format_call_time(time.monotonic() - since) if since is not None else "0:00"
        if text != self.call_time:
            self.call_time = text

    # --- control bar ------------------------------------------------------------------
    def on_touch_down(self, touch: MotionEvent) -> bool:
        if self.panel_open and self.ids.panel.collide_point(*touch.pos):
            return super().on_touch_down(touch)  # the panel works while the bar is hidden
        if not self.bar_visible:
            self.show_bar()
            if self.pip_shown and self.ids.pip.collide_point(*touch.pos):
                self.swap_stage()  # the PiP is no control-bar button: it swaps at once
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
        """Fade the control bar out (not while the DTMF keypad or the layouts are open)."""
        if self.dtmf_open or self.layouts_open:
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
        self.layouts_open = False
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

    def open_panel(self) -> None:
        """Show the people panel (above the bar while the bar shows)."""
        self.dtmf_open = False
        self.panel_open = True
        self.ids.toasts.dismiss("lobby")
        self._update_video_activity()
        self._schedule_hide()

    def close_panel(self) -> None:
        """Hide the people panel."""
        self.panel_open = False
        self._schedule_hide()

    def toggle_panel(self) -> None:
        """The People button."""
        if self.panel_open:
            self.close_panel()
        else:
            self.open_panel()

    def active_keypad(self) -> Keypad | None:
        return self.ids.dtmf_keypad if self.dtmf_open else None
