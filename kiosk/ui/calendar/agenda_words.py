"""The words the home screen uses for a calendar meeting and the calendar's state.

The room's own language (`Texts`); the calendar's reasons are English sentences for
installers (the admin screen and `pexip-kiosk agenda` show them), so the room shows
a short sentence of its own per kind of refusal instead.
"""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType

from kiosk.calendar.calendar_meeting import CalendarMeeting
from kiosk.calendar.calendar_status import CalendarHealth, CalendarStatus
from kiosk.calendar.gateway_addresses import RULE_MEET, RULE_SIP, RULE_WEBEX, RULE_ZOOM
from kiosk.calendar.pexip_addresses import RULE_WEBAPP
from kiosk.calendar.teams_cvi import RULE_CVI, RULE_NO_DIAL_IN
from kiosk.ui.texts import Texts

GATEWAY_SERVICES = MappingProxyType({RULE_MEET: "Google Meet", RULE_ZOOM: "Zoom",
                                     RULE_WEBEX: "Webex", RULE_SIP: "SIP"})


def clock(when: dt.datetime, texts: Texts, zone: dt.tzinfo | None = None) -> str:
    """"14:05" (or "2:05 PM") as the room's locale writes it, in the room's zone."""
    return texts.clock.time_text(when.astimezone(zone))


def time_range(meeting: CalendarMeeting, texts: Texts, zone: dt.tzinfo | None = None) -> str:
    """"09:50–10:50"."""
    return texts.agenda_time_range.format(start=clock(meeting.start, texts, zone),
                                          end=clock(meeting.end, texts, zone))


def subject(meeting: CalendarMeeting, texts: Texts) -> str:
    """The subject as the room shows it (private meetings hide theirs)."""
    if meeting.private:
        return texts.agenda_private
    return " ".join(meeting.subject.split()) or texts.agenda_untitled


def organiser(meeting: CalendarMeeting) -> str:
    """The organiser's name ("" for a private meeting)."""
    return " ".join(meeting.shown_organiser.split())


def booked_reason(meeting: CalendarMeeting, texts: Texts) -> str:
    """Why the room cannot join it, in the room's words ("" when it can)."""
    if meeting.joinable:
        return ""
    rule = meeting.address.rule
    if rule == RULE_NO_DIAL_IN:
        return texts.agenda_teams_no_dial_in
    if rule == RULE_CVI:
        return texts.agenda_teams_not_allowed
    if rule in GATEWAY_SERVICES and "KIOSK_GATEWAY_DIALING" in meeting.address.reason:
        return texts.agenda_gateway_off.format(service=GATEWAY_SERVICES[rule])
    if rule == RULE_WEBAPP:
        return texts.agenda_other_node
    if not rule:
        return texts.agenda_no_address
    return texts.agenda_cannot_join


def calendar_status_line(status: CalendarStatus, texts: Texts, zone: dt.tzinfo | None = None
                         ) -> tuple[str, bool | None]:
    """The quiet status-line text and whether it is good (True), a warning (False) or
    neutral (None); ("", None) when there is no calendar."""
    when = clock(status.updated, texts, zone) if status.updated else ""
    if status.health is CalendarHealth.OFF:
        return "", None
    if status.health is CalendarHealth.LOADING:
        return texts.calendar_reading, None
    if status.health is CalendarHealth.OK:
        return texts.calendar_updated.format(time=when), None
    if status.health is CalendarHealth.STALE:
        return texts.calendar_last_updated.format(time=when), False
    return texts.calendar_unavailable, False
