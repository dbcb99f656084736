"""`pexip-kiosk agenda`: the day's meetings as JSON lines, a summary, exit 0 / 2 / 5, and
never a PIN — from a file, a real HTTPS feed, and the configured calendar."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from calendar_feed_server import FeedServer

from kiosk.cli import main

CORPUS = Path(__file__).resolve().parent / "data" / "invitations"
FIVE_MEETINGS = [CORPUS / name for name in (
    "01-pexip-vmr-en.ics", "05-pexip-uri-location.ics", "10-teams-cvi-text.ics",
    "13-teams-no-cvi.ics", "21-zoom-gateway-off.ics")]


def merged_feed(paths: list[Path]) -> bytes:
    """One calendar holding the VEVENTs (and time zones) of several corpus files."""
    head, events, zones = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tests//EN"], [], set()
    for path in paths:
        text = path.read_bytes().decode("utf-8").replace("\r\n", "\n")
        for kind, found in (("VTIMEZONE", zones), ("VEVENT", None)):
            start = text.find(f"BEGIN:{kind}")
            if start >= 0:
                block = text[start:text.find(f"END:{kind}", start) + len(f"END:{kind}")]
                if found is None:
                    events.append(block)
                else:
                    found.add(block)
    return "\n".join([*head, *sorted(zones), *events, "END:VCALENDAR", ""]).encode("utf-8")


@pytest.fixture
def env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in ("KIOSK_CALENDAR_URL", "KIOSK_CALDAV_URL", "KIOSK_MEETING_DOMAINS",
                "KIOSK_CALENDAR_CA_BUNDLE", "KIOSK_CALENDAR_SHOW_SUBJECTS", "PEXIP_NODE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("TZ", "Europe/Oslo")
    path = tmp_path / "kiosk.env"
    path.write_text("PEXIP_NODE=https://pexip.example.com\nKIOSK_MEETING_DOMAINS=vc.example.com\n")
    return path


@pytest.fixture
def feed_server(tmp_path: Path) -> Iterator[FeedServer]:
    with FeedServer(tmp_path) as server:
        server.serve(merged_feed(FIVE_MEETINGS))
        yield server


def lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_agenda_of_a_file(env_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = CORPUS / "01-pexip-vmr-en.ics"
    code = main(["agenda", "--file", str(path), "--date", "2025-06-11", "--env-file",
                 str(env_file)])
    out = capsys.readouterr().out
    assert code == 0
    meeting, summary = lines(out)
    assert meeting == {
        "event": "meeting", "start": "2025-06-11T10:00:00+02:00",
        "end": "2025-06-11T11:00:00+02:00", "subject": "Project kickoff", "private": False,
        "joinable": True, "alias": "meet.alice", "extension": None, "has_pin": True,
        "rule": "pexip-webapp-link"}
    assert summary["event"] == "summary" and summary["meetings"] == 1
    assert summary["joinable"] == 1 and summary["date"] == "2025-06-11"
    assert "4711" not in out  # the link's PIN


def test_agenda_of_a_feed_over_https(env_file: Path, feed_server: FeedServer,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    with env_file.open("a") as env:
        env.write(f"KIOSK_CALENDAR_CA_BUNDLE={feed_server.ca_bundle}\n")
    webcal = feed_server.url.replace("https://", "webcal://")
    code = main(["agenda", "--url", webcal, "--date", "2025-06-11", "--env-file", str(env_file)])
    out = capsys.readouterr().out
    assert code == 0
    *meetings, summary = lines(out)
    assert [m["rule"] for m in meetings] == [
        "teams-cvi", "pexip-webapp-link", "teams", "pexip-uri", "zoom-sip"]
    assert [m["start"][11:16] for m in meetings] == ["09:00", "10:00", "12:00", "14:00", "14:30"]
    private = meetings[3]
    assert private["private"] is True and private["subject"] == "Private meeting"
    assert private["has_pin"] is True and "1357" not in out
    not_joinable = [m for m in meetings if not m["joinable"]]
    assert all(m["alias"] is None and m["reason"] for m in not_joinable)
    assert all("reason" not in m for m in meetings if m["joinable"])
    assert summary == {"event": "summary", "date": "2025-06-11", "source": "127.0.0.1",
                       "meetings": 5, "joinable": 3, "all_day": 0, "cancelled": 0,
                       "declined": 0, "unreadable": 0}


def test_subjects_turned_off_show_every_meeting_as_private(
    env_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with env_file.open("a") as env:
        env.write("KIOSK_CALENDAR_SHOW_SUBJECTS=false\n")
    path = CORPUS / "02-pexip-vmr-de.ics"
    assert main(["agenda", "--file", str(path), "--date", "2025-06-11", "--env-file",
                 str(env_file)]) == 0
    meeting = lines(capsys.readouterr().out)[0]
    assert meeting["subject"] == "Private meeting" and meeting["private"] is True


def test_a_configured_calendar_that_cannot_be_read_is_exit_5(
    env_file: Path, tmp_path: Path
) -> None:
    with FeedServer(tmp_path) as server:
        url = server.url
    with env_file.open("a") as env:
        env.write(f"KIOSK_CALENDAR_URL={url}?secret=abc123\n")
    done = subprocess.run([sys.executable, "-m", "kiosk", "agenda", "--env-file", str(env_file)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 5
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "pexip-kiosk agenda: 127.0.0.1: cannot reach the calendar server 127.0.0.1"]
    assert "abc123" not in done.stderr


def test_a_feed_that_is_a_login_page_is_exit_5(
    env_file: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_server.serve(b"<html><body>Sign in</body></html>", content_type="text/html")
    with env_file.open("a") as env:
        env.write(f"KIOSK_CALENDAR_CA_BUNDLE={feed_server.ca_bundle}\n")
    code = main(["agenda", "--url", feed_server.url, "--env-file", str(env_file)])
    assert code == 5
    assert "a web page (a login page?)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "extra_env", "message"),
    [
        (["--date", "11.06.2025", "--file", "x.ics"], "", "--date: '11.06.2025' is not a date"),
        ([], "", "no calendar configured"),
        (["--url", "ftp://calendar.example.com/x.ics"], "", "--url: is not an https://"),
        (["--file", "x.ics"], "KIOSK_MEETING_DOMAINS=not a domain!\n",
         "KIOSK_MEETING_DOMAINS: 'domain!' is not a domain"),
        (["--file", "x.ics", "--rules", "/no/such/rules.toml"], "", "does not exist"),
    ],
)
def test_usage_and_configuration_errors_are_exit_2(
    env_file: Path, capsys: pytest.CaptureFixture[str], args: list[str], extra_env: str,
    message: str,
) -> None:
    with env_file.open("a") as env:
        env.write(extra_env)
    assert main(["agenda", *args, "--env-file", str(env_file)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pexip-kiosk agenda: ") and message in err
    assert len(err.strip().splitlines()) == 1
