"""The room's calendar made from its settings: the source, the agenda rules, the service
and the node discovery. The home screen and `pexip-kiosk agenda` both start here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from kiosk.calendar.caldav_source import CalDavSource
from kiosk.calendar.calendar_cache import CalendarCache
from kiosk.calendar.calendar_service import CalendarService
from kiosk.calendar.day_agenda import AgendaRules
from kiosk.calendar.dial_target import AddressPolicy
from kiosk.calendar.feed_source import CalendarSource, IcsFeedSource
from kiosk.calendar.meeting_rules import MeetingRule
from kiosk.calendar.node_discovery import NodeDiscovery
from kiosk.config import Settings


def agenda_rules(settings: Settings, rules: tuple[MeetingRule, ...] | None = None
                 ) -> AgendaRules:
    """How this room turns invitations into addresses (`rules` replaces the configured ones)."""
    calendar = settings.calendar
    policy = AddressPolicy.for_node(settings.node, calendar.meeting_domains,
                                    calendar.teams_gateway_alias, calendar.gateway_dialing)
    return AgendaRules(policy=policy,
                       rules=calendar.meeting_rules if rules is None else rules,
                       show_subjects=calendar.show_subjects)


def configured_source(settings: Settings, now: Callable[[], dt.datetime] | None = None
                      ) -> CalendarSource | None:
    """The feed or CalDAV calendar of the settings, or None when there is none."""
    calendar = settings.calendar
    if calendar.url:
        return IcsFeedSource(calendar.url, verify=calendar.tls_verify)
    if calendar.caldav_url:
        extra = {"now": now} if now is not None else {}
        return CalDavSource(calendar.caldav_url, calendar.caldav_username,
                            calendar.caldav_password, verify=calendar.tls_verify, **extra)
    return None


def calendar_service(settings: Settings) -> CalendarService | None:
    """The background calendar of a room (None when no calendar is configured)."""
    source = configured_source(settings)
    if source is None:
        return None
    return CalendarService(source, CalendarCache(settings.state_dir), agenda_rules(settings),
                           refresh_seconds=settings.calendar.refresh_seconds)


def node_discovery(settings: Settings) -> NodeDiscovery:
    """Finds the nodes of the room's meeting domains (trusting the node's CA settings)."""
    return NodeDiscovery(agenda_rules(settings).policy, verify=settings.tls_verify)
