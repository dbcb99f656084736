"""One booked meeting of the room's day, as the home screen and `pexip-kiosk agenda` show it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kiosk.calendar.dial_target import AddressResult

PRIVATE_SUBJECT = "Private meeting"


@dataclass(frozen=True)
class CalendarMeeting:
    """A meeting with its times (aware, in the room's zone) and what to dial for it.

    `subject` and `organiser` are the invitation's; `private` (CLASS:PRIVATE or
    CONFIDENTIAL, or subjects turned off for the room) means neither is shown:
    `shown_subject` / `shown_organiser` say what may be.
    """

    key: str  # UID and start: unique within the day, stable across refreshes
    start: dt.datetime
    end: dt.datetime
    subject: str = field(repr=False)
    organiser: str = field(repr=False)
    private: bool
    address: AddressResult

    @property
    def joinable(self) -> bool:
        """True when the room can dial it."""
        return self.address.joinable

    @property
    def shown_subject(self) -> str:
        """What the room shows as the subject."""
        if self.private:
            return PRIVATE_SUBJECT
        return self.subject or "Meeting"

    @property
    def shown_organiser(self) -> str:
        """What the room shows as the organiser ("" for a private meeting)."""
        return "" if self.private else self.organiser

    def is_running(self, now: dt.datetime) -> bool:
        """True between its start and its end."""
        return self.start <= now < self.end

    def is_over(self, now: dt.datetime) -> bool:
        """True once it has ended (it drops off the home screen)."""
        return self.end <= now

    def can_join_at(self, now: dt.datetime, early: dt.timedelta) -> bool:
        """True from `early` before its start until its end, when there is something to dial."""
        return self.joinable and self.start - early <= now < self.end
