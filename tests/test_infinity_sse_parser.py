"""SseParser: the event-stream framing, however the bytes are cut, within its limits."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kiosk.infinity.sse_parser import RawEvent, SseParser

STREAM = (
    b": keepalive\n\n"
    b"id: 1\nevent: participant_sync_begin\ndata: null\n\n"
    b"id: 2\r\nevent: participant_create\r\ndata: {\"uuid\": \"p-1\",\r\ndata: \"x\": 1}\r\n\r\n"
    b"event: no_data\n\n"
    b"id: 3\revent: disconnect\rdata: {\"reason\": \"Bye \xc3\xa9\"}\r\r"
)
EXPECTED = [
    RawEvent("participant_sync_begin", "null", "1"),
    RawEvent("participant_create", '{"uuid": "p-1",\n"x": 1}', "2"),
    RawEvent("disconnect", '{"reason": "Bye é"}', "3"),
]


def parse(chunks: list[bytes], parser: SseParser | None = None) -> list[RawEvent]:
    parser = parser or SseParser()
    return [event for chunk in chunks for event in parser.feed(chunk)]


def test_events_lines_and_comments() -> None:
    parser = SseParser()
    assert parse([STREAM], parser) == EXPECTED
    assert parser.lines == 17  # the keepalive comment counts as a sign of life


@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=30))
def test_any_cutting_of_the_bytes_gives_the_same_events(cuts: list[int]) -> None:
    points = sorted(set(cuts))
    chunks = [STREAM[a:b] for a, b in zip([0, *points], [*points, len(STREAM)], strict=True)]
    assert parse(chunks) == EXPECTED


def test_bytes_that_are_not_utf8_spoil_only_their_own_event() -> None:
    stream = (b"event: message_received\ndata: {\"payload\": \"\xff\xfe\"}\n\n"
              b"event: conference_update\ndata: {}\n\n")
    events = parse([stream])
    assert events == [RawEvent("message_received", "", None, "bytes that are not UTF-8"),
                      RawEvent("conference_update", "{}")]


def test_an_over_long_line_is_skipped_without_holding_it() -> None:
    parser = SseParser(max_line=1000)
    events = parse([b"event: big\ndata: " + b"x" * 600, b"y" * 600, b"z" * 5000,
                    b"\n\nevent: small\ndata: 1\n\n"], parser)
    assert events == [RawEvent("big", "", None, "a line is longer than 1000 bytes"),
                      RawEvent("small", "1")]
    assert len(parser._partial) == 0


def test_an_endless_line_never_grows_past_the_limit() -> None:
    parser = SseParser(max_line=4096)
    for _ in range(1000):  # 64 MB of one line
        assert list(parser.feed(b"a" * 65536)) == []
        assert len(parser._partial) <= 4096


def test_an_event_over_the_size_limit_is_one_malformed_event() -> None:
    parser = SseParser(max_line=100, max_event=250)
    lines = b"".join(b"data: " + b"x" * 90 + b"\n" for _ in range(5))
    events = parse([b"event: huge\n" + lines + b"\nevent: next\ndata: 2\n\n"], parser)
    assert events == [RawEvent("huge", "", None, "an event is larger than 250 bytes"),
                      RawEvent("next", "2")]


def test_a_crlf_split_between_two_reads_is_one_line_end() -> None:
    assert parse([b"event: a\r", b"\ndata: 1\r", b"\n\r", b"\n"]) == [RawEvent("a", "1")]
