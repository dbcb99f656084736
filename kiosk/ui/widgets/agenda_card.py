"""The widgets of Home's agenda: the featured meeting with its big Join, a row of the day's
later meetings, a section heading and the free-time line (layouts in agenda_card.kv)."""

from __future__ import annotations

from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout


class FeaturedMeeting(BoxLayout):
    """The meeting running now or about to start; `on_join` when its Join is tapped."""

    badge_text = StringProperty("")
    when_text = StringProperty("")
    subject_text = StringProperty("")
    organiser_text = StringProperty("")
    reason_text = StringProperty("")
    join_text = StringProperty("")
    can_join = BooleanProperty(False)
    running = BooleanProperty(False)
    compact = BooleanProperty(False)  # a second meeting of the moment: smaller
    meeting = ObjectProperty(None, allownone=True)  # the CalendarMeeting shown

    __events__ = ("on_join",)

    def on_kv_post(self, base_widget: object) -> None:
        super().on_kv_post(base_widget)
        self._place_join()

    def on_compact(self, *_args: object) -> None:
        if self.ids:
            self._place_join()

    def _place_join(self) -> None:
        # Compact: the Join beside the details (`side`); featured: the full-width one below.
        join = self.ids.join
        home = self.ids.side if self.compact else self.ids.below
        if join.parent is not home:
            join.parent.remove_widget(join)
            home.add_widget(join)

    def on_join(self) -> None:
        """Default handler of the Join tap (the screen binds its own)."""


class AgendaRow(BoxLayout):
    """One later meeting: its times, subject and organiser, and whether it can be joined."""

    when_text = StringProperty("")
    subject_text = StringProperty("")
    detail_text = StringProperty("")
    joinable = BooleanProperty(False)
    meeting = ObjectProperty(None, allownone=True)


class AgendaHeading(BoxLayout):
    """A quiet section title ("Later today", "Other meetings")."""

    text = StringProperty("")
    icon = StringProperty("")


class FreeTime(BoxLayout):
    """"Free until 14:00" / "Free for the rest of the day": the room's state in free time."""

    text = StringProperty("")
