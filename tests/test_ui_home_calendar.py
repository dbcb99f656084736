"""Home's agenda from the room's calendar, driven through the real app and session against
the simulator (its demo calendar, or a feed server with a chosen day): the big Join,
a PIN room's PIN screen, Teams through the Virtual Reception, auto-join with its
countdown and Cancel, a dead calendar server after a restart, and no needless redraws."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from calendar_feed_server import FeedServer
from calendar_feeds import Booking, feed
from ui_harness import ADMIN_PIN, kiosk_settings, running_kiosk, wait_until

from kiosk.config import CalendarSettings, Settings
from kiosk.simulator.background import SimulatorThread

TEAMS_CVI = ("DESCRIPTION:Microsoft Teams meeting\\nJoin the meeting now <https://teams.microsoft"
             ".com/l/meetup-join/19%3ameeting_dGVzdA%40thread.v2/0>\\nJoin with a video "
             "conferencing device\\nteams@teams.example.com\\nVideo Conference ID: 1001")


def names_in(simulator: SimulatorThread, alias: str) -> list[str]:
    return [p["display_name"] for p in simulator.control.room(alias)["participants"]]


def calendar_settings(sim_settings: Settings, state: Path, url: str, ca_bundle: Path | None,
                      **calendar: object) -> Settings:
    settings = kiosk_settings(sim_settings, state_dir=state)
    values = {"url": url, "ca_bundle": ca_bundle, "teams_gateway_alias": "reception",
              **calendar}
    return dataclasses.replace(settings, calendar=CalendarSettings(**values))  # type: ignore[arg-type]


def demo_calendar(simulator: SimulatorThread, sim_settings: Settings, state: Path,
                  **calendar: object) -> Settings:
    return calendar_settings(sim_settings, state, simulator.control.calendar_url,
                             simulator.ca_bundle, **calendar)


@pytest.fixture
def feed_server(tmp_path: Path) -> Iterator[FeedServer]:
    with FeedServer(tmp_path) as server:
        yield server


async def laid_out(widget: object) -> None:
    """A frame or two after a widget appears: it has its place before it is tapped."""
    await wait_until(lambda: widget.height > 0 and widget.y > 0, "the layout")  # type: ignore[attr-defined]
    await asyncio.sleep(0.1)


async def settle() -> None:
    """Before the app stops: pending texture updates run while kv rules still find the
    running app (Kivy's `app` in kv is None once App.stop() has run)."""
    await asyncio.sleep(0.4)


def now_minute() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)


async def test_the_running_meeting_of_the_demo_calendar_is_joined_with_one_tap(
    simulator: SimulatorThread, sim_settings: Settings, tmp_path: Path
) -> None:
    from kiosk.session_state import SessionState
    from kiosk.ui.device.touch_driver import tap
    from kiosk.ui.navigation.screen_names import ScreenName

    settings = demo_calendar(simulator, sim_settings, tmp_path / "state")
    async with running_kiosk(simulator, settings, with_media=False) as kiosk:
        home = kiosk.screen(ScreenName.HOME)
        await wait_until(lambda: home.featured_card() is not None, "the agenda")
        card = home.featured_card()
        assert card.subject_text == "Weekly planning"
        assert card.badge_text == "Now" and card.can_join
        assert card.organiser_text == "Alice Example"
        # The PIN room in four minutes can be joined too, beside it; the check-in is over.
        others = [c.subject_text for c in home.now_cards()[1:]]
        assert others == ["Board meeting"]
        shown = [row.subject_text for row in home.agenda_rows()]
        assert "Morning check-in" not in shown and "Weekly planning" not in shown
        assert home.calendar_text.startswith("Calendar updated ")
        # The configured meetings stay, as second choices; so does "Enter meeting ID".
        assert [b.meeting_alias for b in home.join_buttons()] == [
            m.alias for m in settings.all_meetings()]
        assert not home.ids.enter_id.disabled

        await laid_out(card.ids.join)
        tap(card.ids.join)
        await kiosk.wait_screen(ScreenName.IN_CALL)
        assert "Test room" in await asyncio.to_thread(names_in, simulator, "meet.open")
        await kiosk.session.leave()
        await kiosk.wait_screen(ScreenName.HOME)
        assert kiosk.session.snapshot.state is SessionState.IDLE
        await settle()


async def test_a_calendar_meeting_in_a_pin_room_waits_on_the_pin_screen(
    simulator: SimulatorThread, sim_settings: Settings, tmp_path: Path
) -> None:
    from kiosk.ui.device.touch_driver import tap
    from kiosk.ui.navigation.screen_names import ScreenName

    settings = demo_calendar(simulator, sim_settings, tmp_path / "state")
    async with running_kiosk(simulator, settings, with_media=False) as kiosk:
        home = kiosk.screen(ScreenName.HOME)
        await wait_until(lambda: len(home.now_cards()) == 2, "both meetings of the moment")
        board = home.now_cards()[1]
        assert board.subject_text == "Board meeting" and board.badge_text.startswith("Starts in")
        await laid_out(board.ids.join)
        home.ids.home_scroll.scroll_to(board, animate=False)  # below the fold: swipe up
        await asyncio.sleep(0.2)
        tap(board.ids.join)
        pin = await kiosk.wait_screen(ScreenName.PIN)
        assert not pin.optional
        connecting = kiosk.screen(ScreenName.CONNECTING)
        assert "Board meeting" in connecting.title or pin.meeting_name
        await settle()


async def test_a_teams_meeting_goes_through_the_virtual_reception(
    simulator: SimulatorThread, sim_settings: Settings, tmp_path: Path, feed_server: FeedServer
) -> None:
    from kiosk.ui.device.touch_driver import tap
    from kiosk.ui.navigation.screen_names import ScreenName

    start = now_minute() - dt.timedelta(minutes=2)
    feed_server.serve(feed([Booking("teams", start, 30, "Customer call", (TEAMS_CVI,))]))
    settings = calendar_settings(sim_settings, tmp_path / "state", feed_server.url,
                                 feed_server.ca_bundle)
    async with running_kiosk(simulator, settings, with_media=False) as kiosk:
        home = kiosk.screen(ScreenName.HOME)
        await wait_until(lambda: home.featured_card() is not None, "the agenda")
        await laid_out(home.featured_card().ids.join)
        tap(home.featured_card().ids.join)
        await kiosk.wait_screen(ScreenName.IN_CALL)
        # Dialled "reception" with the VTC ID as the meeting number: the open room.
        assert "Test room" in await asyncio.to_thread(names_in, simulator, "meet.open")
        await settle()


async def test_auto_join_counts_down_and_cancel_keeps_the_room_on_home(
    simulator: SimulatorThread, sim_settings: Settings, tmp_path: Path, feed_server: FeedServer
) -> None:
    from kiosk.session_state import SessionState
    from kiosk.ui.device.touch_driver import tap
    from kiosk.ui.navigation.screen_names import ScreenName

    link = f"LOCATION:{simulator.url}/webapp/m/meet.open"
    feed_server.serve(feed([Booking("started", now_minute(), 30, "Stand-up", (link,))]))
    settings = calendar_settings(sim_settings, tmp_path / "state", feed_server.url,
                                 feed_server.ca_bundle, auto_join=True)
    async with running_kiosk(simulator, settings, with_media=False) as kiosk:
        home = kiosk.screen(ScreenName.HOME)
        await wait_until(lambda: home.countdown_seconds > 0, "the countdown")
        assert home.ids.countdown_title.text.startswith("Joining Stand-up in ")
        assert home.countdown_seconds <= 10
        await laid_out(home.ids.countdown_cancel)
        tap(home.ids.countdown_cancel)
        assert home.countdown_seconds == 0
        kiosk.app.agenda.refresh()  # the same meeting is never offered again
        await asyncio.sleep(1.5)
        assert home.countdown_seconds == 0
        assert kiosk.session.snapshot.state is SessionState.IDLE
        assert kiosk.app.current_screen is ScreenName.HOME
        await settle()


async def test_auto_join_dials_after_the_countdown_and_the_pin_screen_waits(
    simulator: SimulatorThread, sim_settings: Settings, tmp_path: Path, feed_server: FeedServer
) -> None:
    from kiosk.session_state import SessionState
    from kiosk.ui.navigation.screen_names import ScreenName

    link = f"LOCATION:{simulator.url}/webapp/conference/meet.board"
    feed_server.serve(feed([Booking("board", now_minute(), 30, "Board meeting", (link,))]))
    settings = calendar_settings(sim_settings, tmp_path / "state", feed_server.url,
                                 feed_server.ca_bundle, auto_join=True)
    async with running_kiosk(simulator, settings, with_media=False) as kiosk:
        home = kiosk.screen(ScreenName.HOME)
        await wait_until(lambda: home.countdown_seconds > 0, "the countdown")
        # The room has no PIN for this meeting: it dials, and the PIN screen waits.
        await kiosk.wait_screen(ScreenName.PIN, timeout=30)
        assert kiosk.session.snapshot.state is SessionState.PIN_REQUIRED
        await asyncio.sleep(1.0)
        assert kiosk.app.current_screen is ScreenName.PIN
        await settle()


async def test_a_dead_calendar_server_after_a_restart_keeps_the_room_joining(
    simulator: SimulatorThread, sim_settings: Settings, tmp_path: Path
) -> None:
    from kiosk.ui.device.touch_driver import tap
    from kiosk.ui.navigation.screen_names import ScreenName

    settings = demo_calendar(simulator, sim_settings, tmp_path / "state")
    async with running_kiosk(simulator, settings, with_media=False) as kiosk:
        home = kiosk.screen(ScreenName.HOME)
        await wait_until(lambda: home.featured_card() is not None, "the agenda")
        updated = home.calendar_text.removeprefix("Calendar updated ")
        await settle()
    await asyncio.to_thread(simulator.control.fail_calendar, 503)
    async with running_kiosk(simulator, settings, with_media=False) as kiosk:
        home = kiosk.screen(ScreenName.HOME)
        await wait_until(lambda: home.calendar_warning, "the calendar's failure")
        assert home.calendar_text == f"Calendar last updated {updated}"
        card = home.featured_card()
        assert card is not None and card.subject_text == "Weekly planning"
        await laid_out(card.ids.join)
        tap(card.ids.join)
        await kiosk.wait_screen(ScreenName.IN_CALL)
        # The admin screen names the problem in one line.
        await kiosk.session.leave()
        await kiosk.wait_screen(ScreenName.HOME)
        kiosk.app.admin.open_unlock()
        kiosk.app.admin.unlock(ADMIN_PIN)
        admin = await kiosk.wait_screen(ScreenName.ADMIN)
        await asyncio.sleep(0.3)  # its labels render before the app stops
        shown = [w.text for w in admin.ids.table.children]
        assert "Calendar" in shown and "Next meeting" in shown
        rows = {row.label: row for row in kiosk.app.admin.diagnostics()}
        assert "failed (HTTP 503)" in rows["Calendar"].value
        assert f"showing the copy from {updated}" in rows["Calendar"].value
        assert rows["Calendar"].ok is False
        assert "pexip-webapp-link: meet.open" in rows["Next meeting"].value
        await settle()


async def test_the_agenda_is_not_redrawn_when_nothing_changed(
    simulator: SimulatorThread, sim_settings: Settings, tmp_path: Path
) -> None:
    from kiosk.ui.navigation.screen_names import ScreenName

    settings = demo_calendar(simulator, sim_settings, tmp_path / "state")
    async with running_kiosk(simulator, settings, with_media=False) as kiosk:
        home = kiosk.screen(ScreenName.HOME)
        await wait_until(lambda: home.featured_card() is not None, "the agenda")
        await asyncio.sleep(0.5)
        drawn = home.agenda_redraws
        for _ in range(5):
            kiosk.app.agenda.refresh()
            kiosk.app.agenda.calendar_changed(kiosk.app.calendar.snapshot)
        assert home.agenda_redraws == drawn
        await settle()


@pytest.mark.parametrize("size", [(800, 480), (1280, 720)])
async def test_a_full_day_of_long_subjects_fits_the_screen(
    simulator: SimulatorThread, sim_settings: Settings, tmp_path: Path, feed_server: FeedServer,
    size: tuple[int, int],
) -> None:
    from kivy.core.window import Window

    from kiosk.ui.navigation.screen_names import ScreenName

    long_subject = ("Quarterly business review with the regional sales leadership team and "
                    "external partners — agenda attached")
    start = now_minute() + dt.timedelta(minutes=30)
    bookings = [Booking(f"m{i}", start + dt.timedelta(minutes=35 * i), 30,
                        long_subject if i % 2 else f"Réunion d’équipe n° {i} — Qualitätssicherung",
                        (f"LOCATION:{simulator.url}/webapp/m/meet.open",
                         "ORGANIZER;CN=Maximilian Alexander von Hohenberg-Schwarzenstein:"
                         "mailto:m@example.com")) for i in range(12)]
    bookings[3] = dataclasses.replace(bookings[3], lines=(*bookings[3].lines, "CLASS:PRIVATE"))
    feed_server.serve(feed(bookings))
    settings = calendar_settings(sim_settings, tmp_path / "state", feed_server.url,
                                 feed_server.ca_bundle)
    async with running_kiosk(simulator, settings, with_media=False) as kiosk:
        original = Window.size
        Window.size = size
        home = kiosk.screen(ScreenName.HOME)
        await wait_until(lambda: len(home.agenda_rows()) == 12, "twelve meetings")
        await asyncio.sleep(0.3)
        rows = home.agenda_rows()
        assert rows[3].subject_text == "Private meeting" and rows[3].detail_text == ""
        for row in rows:
            for label in (row.ids.subject, row.ids.detail, row.ids.when):
                # Long words are cut with an ellipsis, never drawn past their column.
                assert label.texture_size[0] <= label.width + 1, label.text
            assert row.right <= home.ids.home_scroll.right + 1
        free = home.ids.agenda.children[-1]
        assert free.text.startswith("Free until ")
        assert home.ids.enter_id.y >= home.ids.status_line.top
        Window.size = original
        # Laid out again before the app stops: kv rules need the running app for that.
        await asyncio.sleep(0.5)
        await settle()


@pytest.mark.parametrize("size", [(800, 480), (1280, 720)])
async def test_both_meetings_of_the_moment_can_be_joined_without_scrolling(
    simulator: SimulatorThread, sim_settings: Settings, tmp_path: Path, feed_server: FeedServer,
    size: tuple[int, int],
) -> None:
    from kivy.core.window import Window

    from kiosk.ui.navigation.screen_names import ScreenName

    location = (f"LOCATION:{simulator.url}/webapp/m/meet.open",)
    bookings = [Booking("now", now_minute() - dt.timedelta(minutes=10), 60, "Weekly planning",
                        location),
                Booking("soon", now_minute() + dt.timedelta(minutes=4), 30, "Board meeting",
                        location),
                Booking("later", now_minute() + dt.timedelta(hours=2), 30, "Review", location)]
    feed_server.serve(feed(bookings))
    settings = calendar_settings(sim_settings, tmp_path / "state", feed_server.url,
                                 feed_server.ca_bundle)
    async with running_kiosk(simulator, settings, with_media=False) as kiosk:
        original = Window.size
        Window.size = size
        home = kiosk.screen(ScreenName.HOME)
        await wait_until(lambda: len(home.now_cards()) == 2, "two meetings of the moment")
        await asyncio.sleep(0.5)
        scroll = home.ids.home_scroll
        for card in home.now_cards():
            join = card.ids.join
            assert join.height > 0 and join.width > 0, card.subject_text
            # Where the button is on the screen, with the agenda scrolled to its top.
            left, bottom = join.to_window(join.x, join.y)
            right, top = join.to_window(join.right, join.top)
            s_left, s_bottom = scroll.to_window(scroll.x, scroll.y)
            s_right, s_top = scroll.to_window(scroll.right, scroll.top)
            assert s_bottom - 1 <= bottom and top <= s_top + 1, card.subject_text
            assert s_left - 1 <= left and right <= s_right + 1, card.subject_text
            assert join.ids.caption.text == card.join_text
        Window.size = original
        await asyncio.sleep(0.5)
        await settle()


async def test_try_again_after_a_failure_keeps_the_calendar_meetings_number(
    simulator: SimulatorThread, sim_settings: Settings, tmp_path: Path, feed_server: FeedServer
) -> None:
    from kiosk.ui.device.touch_driver import tap
    from kiosk.ui.navigation.screen_names import ScreenName

    start = now_minute() - dt.timedelta(minutes=2)
    feed_server.serve(feed([Booking("teams", start, 30, "Customer call", (TEAMS_CVI,))]))
    settings = calendar_settings(sim_settings, tmp_path / "state", feed_server.url,
                                 feed_server.ca_bundle)
    async with running_kiosk(simulator, settings, with_media=False) as kiosk:
        home = kiosk.screen(ScreenName.HOME)
        await wait_until(lambda: home.featured_card() is not None, "the agenda")
        await laid_out(home.featured_card().ids.join)
        await asyncio.to_thread(simulator.control.inject_fault, "request_token", status=503)
        tap(home.featured_card().ids.join)
        error = await kiosk.wait_screen(ScreenName.ERROR)
        await laid_out(error.ids.retry)
        tap(error.ids.retry)
        # Again "reception" with the Teams meeting's number: straight into the open room.
        await kiosk.wait_screen(ScreenName.IN_CALL)
        assert "Test room" in await asyncio.to_thread(names_in, simulator, "meet.open")
        await settle()
