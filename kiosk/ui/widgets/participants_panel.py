"""The in-call side panel: everyone in the meeting, the lobby first, and the host's controls.

The list is a RecycleView (a few row widgets reused while scrolling), filled from
the session's batched `RosterView` and only while the panel is open: a 200-person
roster with a burst of updates costs one list rebuild per batch, not per event.
"""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.recycleview.views import RecycleDataViewBehavior

from kiosk.session.room_view import RosterEntry, RosterView
from kiosk.ui.theme import RGBA
from kiosk.ui.widgets.hideable import HideableBox

# Row widgets made ahead of need, one per frame once the panel is open, so that a big
# roster arriving later does not build a screenful of rows (and their kv rules) in one frame.
WARM_ROWS = 12
WARM_ROWS_PER_FRAME = 1
WARM_UP_DELAY = 0.5


def _hex(color: RGBA) -> str:
    return "".join(f"{round(c * 255):02x}" for c in color[:3])


class RosterHeader(RecycleDataViewBehavior, Label):
    """A section title in the list ("Waiting to join")."""


class RosterRow(RecycleDataViewBehavior, BoxLayout):
    """One participant: name, "This room" / "Host", their state, and the host's buttons."""

    uuid = StringProperty("")
    name = StringProperty("")
    detail = StringProperty("")
    states = StringProperty("")  # icon markup: host, hand, presenting, mic and camera off
    waiting = BooleanProperty(False)
    muted = BooleanProperty(False)
    video_muted = BooleanProperty(False)
    presenting = BooleanProperty(False)
    hand = BooleanProperty(False)
    is_self = BooleanProperty(False)
    host_entry = BooleanProperty(False)  # this participant is a host
    host_view = BooleanProperty(False)  # the room is a host: show the buttons

    def admit(self) -> None:
        """Let this guest in."""
        App.get_running_app().room.admit(self.uuid)

    def mute(self) -> None:
        """Mute this participant."""
        App.get_running_app().room.mute(self.uuid)

    def remove(self) -> None:
        """Ask whether to remove this participant."""
        App.get_running_app().room.request_remove(self.uuid, self.name)


HOST_BUTTONS = ("lock", "mute_guests", "lower_hands", "admit_all")  # ids in the kv rule


class ParticipantsPanel(HideableBox):
    """The panel; `show_roster` gives it each new roster, `show_meeting` the meeting's flags.

    Its close button dispatches `on_close`."""

    __events__ = ("on_close",)

    is_host = BooleanProperty(False)
    locked = BooleanProperty(False)
    guests_muted = BooleanProperty(False)
    hand_raised = BooleanProperty(False)
    in_breakout = BooleanProperty(False)
    waiting_count = NumericProperty(0)
    hands_count = NumericProperty(0)
    people_count = NumericProperty(0)
    confirm_uuid = StringProperty("")
    confirm_name = StringProperty("")
    waiting_text = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        self._view = RosterView()
        self._shown_version = -1
        self._shown_host = False
        self.rebuilds = 0  # how often the list was filled (a burst should need few)
        self._warmed = 0
        super().__init__(**kwargs)
        self._app = App.get_running_app()

    def on_kv_post(self, base_widget: Any) -> None:
        # The host's row of buttons: one caption size, the one the longest fits at.
        super().on_kv_post(base_widget)
        for name in HOST_BUTTONS:
            self.ids[name].ids.caption.bind(fitted_size=self._even_host_captions)
        self._even_host_captions()

    def _even_host_captions(self, *_args: object) -> None:
        captions = [self.ids[name].ids.caption for name in HOST_BUTTONS]
        fitted = [c.fitted_size for c in captions if c.fitted_size > 0]
        for caption in captions:
            caption.ceiling = min(fitted) if fitted else 0

    @property
    def warmed_up(self) -> bool:
        """True once the spare rows are made."""
        return self._warmed >= WARM_ROWS

    def warm_up(self) -> None:
        """Start making the spare rows (once, when the panel first opens)."""
        if not self._warmed:
            Clock.schedule_once(self._warm_up, WARM_UP_DELAY)

    def _warm_up(self, _dt: float) -> None:
        """Make a few spare rows for the list to use (see WARM_ROWS)."""
        if self._app is None or App.get_running_app() is not self._app:
            return  # the app this panel belongs to has stopped (Kivy's clock outlives it)
        adapter = self.ids.rows.view_adapter
        for _ in range(WARM_ROWS_PER_FRAME):
            if self._warmed >= WARM_ROWS or self._app.root is None:
                return
            self._warmed += 1
            # Negative indexes match no data item: the list takes them as spare views.
            adapter.dirty_views[RosterRow][-self._warmed] = RosterRow()
        Clock.schedule_once(self._warm_up, 0)

    def show_roster(self, view: RosterView) -> None:
        """A new roster: counts now, the list when (or once) the panel is open."""
        self._view = view
        self.waiting_count = len(view.waiting)
        self.hands_count = view.hands_raised
        self.people_count = len(view.in_meeting)
        app = App.get_running_app()
        if app is not None:
            from kiosk.ui.texts import guests_waiting_text

            self.waiting_text = guests_waiting_text(app.theme.translator, self.waiting_count)
        if self.confirm_uuid and view.find(self.confirm_uuid) is None:
            self.cancel_remove()  # they left meanwhile
        if self.shown:
            self._fill()

    def show_meeting(self, is_host: bool, locked: bool, guests_muted: bool, hand_raised: bool,
                     in_breakout: bool) -> None:
        """The room's role and the meeting's flags."""
        self.is_host = is_host
        self.locked = locked
        self.guests_muted = guests_muted
        self.hand_raised = hand_raised
        self.in_breakout = in_breakout
        if not is_host:
            self.cancel_remove()
        if self.shown:
            self._fill()

    def on_close(self) -> None:
        """The close button was pressed (the screen hides the panel)."""

    def on_shown(self, _instance: object, shown: bool) -> None:
        if shown:
            self._fill()
            self.warm_up()
        else:
            self.cancel_remove()

    def ask_remove(self, uuid: str, name: str) -> None:
        """Show the "Remove {name}?" question."""
        if self.is_host:
            self.confirm_uuid, self.confirm_name = uuid, name

    def confirm_remove(self) -> None:
        """Remove the participant asked about."""
        uuid = self.confirm_uuid
        self.cancel_remove()
        if uuid:
            App.get_running_app().room.remove(uuid)

    def cancel_remove(self) -> None:
        """Keep them."""
        self.confirm_uuid = self.confirm_name = ""

    def _fill(self) -> None:
        view = self._view
        if view.version == self._shown_version and self.is_host == self._shown_host:
            return
        self._shown_version, self._shown_host = view.version, self.is_host
        texts = App.get_running_app().theme.texts
        data: list[dict[str, Any]] = []
        waiting, present = view.waiting, view.in_meeting
        if waiting:
            data.append({"viewclass": "RosterHeader", "text": texts.waiting_to_join})
            data.extend(self._row(e, texts) for e in waiting)
        data.append({"viewclass": "RosterHeader", "text": texts.in_the_meeting})
        data.extend(self._row(e, texts) for e in present)
        self.ids.rows.data = data
        self.rebuilds += 1

    def _row(self, entry: RosterEntry, texts: Any) -> dict[str, Any]:
        detail = texts.this_room if entry.is_self else (texts.role_host if entry.is_host else "")
        theme = App.get_running_app().theme
        icons, palette = theme.icons, theme.palette
        marks = []
        if entry.is_host:
            marks.append((icons.host, palette.warning))
        if entry.hand_raised:
            marks.append((icons.hand_up, palette.warning))
        if entry.presenting:
            marks.append((icons.presenting, palette.success))
        if entry.muted and not entry.waiting:
            marks.append((icons.microphone_off, palette.danger_text))
        if entry.video_muted and not entry.waiting:
            marks.append((icons.video_off, palette.danger_text))
        states = " ".join(f"[color={_hex(color)}]{icon}[/color]" for icon, color in marks)
        return {
            "viewclass": "RosterRow",
            "uuid": entry.uuid,
            "name": entry.name,
            "detail": detail,
            "states": states,
            "host_entry": entry.is_host,
            "waiting": entry.waiting,
            "muted": entry.muted,
            "video_muted": entry.video_muted,
            "presenting": entry.presenting,
            "hand": entry.hand_raised,
            "is_self": entry.is_self,
            "host_view": self.is_host,
        }
