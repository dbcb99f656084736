"""Home: the room's name, clock and date, today's agenda with one big Join for the meeting
about to start, one Join button per configured meeting, and a quiet status line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from kivy.clock import Clock, ClockEvent
from kivy.factory import Factory
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)

from kiosk.calendar.calendar_meeting import CalendarMeeting
from kiosk.calendar.calendar_status import CalendarHealth, CalendarStatus
from kiosk.calendar.home_agenda import AgendaView, NowMeeting
from kiosk.config import Meeting
from kiosk.ui.calendar import agenda_words
from kiosk.ui.device.device_probe import CameraPresence
from kiosk.ui.screens.clock_screen import ClockScreen
from kiosk.ui.texts import starts_in_text
from kiosk.ui.widgets.agenda_card import AgendaHeading, AgendaRow, FeaturedMeeting, FreeTime
from kiosk.ui.widgets.detach_when_transparent import DetachWhenTransparent


class HomeScreen(ClockScreen):
    """The start screen. The clock and the node check run only while the screen is shown."""

    room_name = StringProperty("")
    node_reachable = ObjectProperty(None, allownone=True)  # None = not checked yet
    camera = ObjectProperty(CameraPresence.MISSING)
    node_text = StringProperty("")
    camera_text = StringProperty("")
    demo_hints = ListProperty([])
    admin_enabled = BooleanProperty(False)
    calendar_enabled = BooleanProperty(False)
    show_other_heading = BooleanProperty(False)
    calendar_text = StringProperty("")
    calendar_warning = BooleanProperty(False)
    countdown_seconds = NumericProperty(0)
    countdown_name = StringProperty("")
    agenda_redraws = NumericProperty(0)  # how often the agenda was drawn (tests, bench)

    def __init__(self, **kwargs: object) -> None:
        self._status_event: ClockEvent | None = None
        self._meetings: tuple[Meeting, ...] = ()
        self._featured: FeaturedMeeting | None = None
        super().__init__(**kwargs)
        # The countdown overlay is drawn (and catches touches) only while it counts.
        self._overlay = DetachWhenTransparent(self, [self.ids.countdown])

    # ------------------------------------------------------------------ calendar

    def on_calendar_enabled(self, *_args: object) -> None:
        self._update_other_heading()

    def _update_other_heading(self) -> None:
        self.show_other_heading = bool(self.calendar_enabled and self._meetings)

    def show_agenda(self, view: AgendaView, status: CalendarStatus, zone: dt.tzinfo | None = None
                    ) -> None:
        """Draw today's agenda as `view` says, and the calendar's status line."""
        texts = self.app.theme.texts
        box = self.ids.agenda
        box.clear_widgets()
        self._featured = None
        if view.featured is not None:
            self._featured = self._now_card(view.featured, zone, compact=False)
            box.add_widget(self._featured)
        for item in view.also_now:
            box.add_widget(self._now_card(item, zone, compact=True))
        if view.free_until is not None:
            free = texts.agenda_free_until.format(
                time=agenda_words.clock(view.free_until, texts, zone))
            box.add_widget(FreeTime(text=free))
        elif view.free_all_day and status.updated is not None:
            box.add_widget(FreeTime(text=texts.agenda_free_today))
        elif status.health is CalendarHealth.FAILED:
            # Never an empty agenda without a reason (the admin screen says which).
            box.add_widget(AgendaHeading(icon=self.app.theme.icons.alert,
                                         text=texts.calendar_unavailable))
        elif status.health is CalendarHealth.LOADING:
            box.add_widget(AgendaHeading(icon=self.app.theme.icons.sync,
                                         text=texts.calendar_reading))
        if view.later:
            box.add_widget(AgendaHeading(text=texts.agenda_later))
            for meeting in view.later:
                box.add_widget(self._row(meeting, zone))
        text, good = agenda_words.calendar_status_line(status, texts, zone)
        self.calendar_text = text
        self.calendar_warning = good is False
        self.agenda_redraws += 1

    def _now_card(self, item: NowMeeting, zone: dt.tzinfo | None, compact: bool
                  ) -> FeaturedMeeting:
        meeting = item.meeting
        texts = self.app.theme.texts
        badge = texts.agenda_now if item.running else starts_in_text(
            self.app.theme.translator, item.starts_in_minutes)
        card = FeaturedMeeting(
            badge_text=badge, running=item.running, compact=compact,
            when_text=agenda_words.time_range(meeting, texts, zone),
            subject_text=agenda_words.subject(meeting, texts),
            organiser_text=agenda_words.organiser(meeting),
            reason_text="" if item.can_join else agenda_words.booked_reason(meeting, texts),
            join_text=texts.agenda_join, can_join=item.can_join, meeting=meeting)
        card.bind(on_join=self._calendar_join_pressed)
        return card

    def _row(self, meeting: CalendarMeeting, zone: dt.tzinfo | None) -> AgendaRow:
        texts = self.app.theme.texts
        detail = agenda_words.organiser(meeting) if meeting.joinable else (
            agenda_words.booked_reason(meeting, texts))
        return AgendaRow(when_text=agenda_words.time_range(meeting, texts, zone),
                         subject_text=agenda_words.subject(meeting, texts), detail_text=detail,
                         joinable=meeting.joinable, meeting=meeting)

    def _calendar_join_pressed(self, card: FeaturedMeeting) -> None:
        if card.meeting is not None:
            self.app.calendar_joins.join(card.meeting)

    def featured_card(self) -> FeaturedMeeting | None:
        """The featured meeting's card, if one is shown (tests and the autopilot use it)."""
        return self._featured

    def now_cards(self) -> list[FeaturedMeeting]:
        """Every card of the moment, the featured one first."""
        return [w for w in reversed(self.ids.agenda.children) if isinstance(w, FeaturedMeeting)]

    def agenda_rows(self) -> list[AgendaRow]:
        """The later meetings' rows, top to bottom."""
        return [w for w in reversed(self.ids.agenda.children) if isinstance(w, AgendaRow)]

    def show_countdown(self, name: str, seconds: int) -> None:
        """The auto-join countdown ("Joining X in 9 s"); 0 seconds hides it."""
        self.countdown_name = name
        self.countdown_seconds = seconds

    def set_meetings(self, meetings: Sequence[Meeting]) -> None:
        """One large Join button per meeting, in the configured order."""
        self._meetings = tuple(meetings)
        box = self.ids.meetings
        box.clear_widgets()
        texts = self.app.theme.texts
        # With a calendar, its meeting's Join is the big one: these are the second choice.
        kind = Factory.OtherMeetingButton if self.calendar_enabled else Factory.JoinButton
        for meeting in self._meetings:
            button = kind(
                text=texts.join_meeting.format(name=meeting.label), icon=self.app.theme.icons.video
            )
            button.meeting_alias = meeting.alias
            button.bind(on_release=self._join_pressed)
            button.ids.caption.bind(fitted_size=self._even_captions)
            box.add_widget(button)
        self.ids.no_meetings.opacity = 0 if self._meetings or self.calendar_enabled else 1
        self._update_other_heading()

    def _even_captions(self, *_args: object) -> None:
        # One size for the whole stack: the size the longest caption fits at.
        captions = [button.ids.caption for button in self.ids.meetings.children]
        fitted = [c.fitted_size for c in captions if c.fitted_size > 0]
        for caption in captions:
            caption.ceiling = min(fitted) if fitted else 0

    def join_buttons(self) -> list:
        """The Join buttons, top to bottom (tests and the autopilot use them)."""
        return list(reversed(self.ids.meetings.children))

    def _join_pressed(self, button: object) -> None:
        self.app.actions.join_meeting(button.meeting_alias)  # type: ignore[attr-defined]

    def on_pre_enter(self, *_args: object) -> None:
        super().on_pre_enter()
        self._status_event = Clock.schedule_interval(
            lambda _dt: self.app.status.refresh(), self.app.theme.sizes.node_check_seconds
        )
        self.app.status.refresh()

    def on_leave(self, *_args: object) -> None:
        super().on_leave()
        if self._status_event is not None:
            self._status_event.cancel()
            self._status_event = None

    def on_node_reachable(self, _instance: object, reachable: bool | None) -> None:
        if reachable is None:
            self.node_text = self.app.theme.texts.node_checking
        else:
            texts = self.app.theme.texts
            self.node_text = texts.node_reachable if reachable else texts.node_unreachable

    def on_camera(self, _instance: object, camera: CameraPresence) -> None:
        self.camera_text = {
            CameraPresence.FOUND: self.app.theme.texts.camera_found,
            CameraPresence.TEST: self.app.theme.texts.camera_test,
            CameraPresence.MISSING: self.app.theme.texts.camera_missing,
            CameraPresence.DISABLED: self.app.theme.texts.camera_disabled,
        }[camera]
