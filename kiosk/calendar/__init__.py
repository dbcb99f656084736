"""The room's calendar: today's meetings, and what to dial for each (no UI, no session).

Sources (an iCalendar feed or CalDAV) are read in the background and the last
good copy is kept on disk; invitations are turned into addresses to dial by
`meeting_address`; `node_discovery` finds the node for an address. The home
screen and `pexip-kiosk agenda` use the same code. Nothing here imports Kivy,
and the session knows nothing of calendars: a meeting is joined by handing the
session a `kiosk.session.join_request.JoinRequest`.
"""
