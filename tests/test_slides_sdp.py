"""The SDP text edits of presentation receive (kiosk.media.slides_sdp)."""

from __future__ import annotations

import pytest

from kiosk.media.slides_sdp import (
    bandwidth_for,
    mark_slides,
    media_sections,
    slides_answered,
    slides_mid,
    tag_answer_slides,
)

OFFER = "\r\n".join([
    "v=0", "o=- 1 1 IN IP4 0.0.0.0", "s=-", "t=0 0", "a=group:BUNDLE 0 1 2",
    "m=audio 9 UDP/TLS/RTP/SAVPF 96", "c=IN IP4 127.0.0.1", "a=mid:0", "a=sendrecv",
    "m=video 9 UDP/TLS/RTP/SAVPF 97", "c=IN IP4 127.0.0.1", "a=mid:1", "a=sendrecv",
    "m=video 9 UDP/TLS/RTP/SAVPF 97", "c=IN IP4 127.0.0.1", "a=mid:2", "a=recvonly",
]) + "\r\n"


def test_the_slides_section_is_tagged_and_every_video_gets_the_receive_budget() -> None:
    marked = mark_slides(OFFER, "2", 1280)
    sections = media_sections(marked)
    assert [(s.kind, s.mid, s.is_slides, s.bandwidth_as) for s in sections] == [
        ("audio", "0", False, None), ("video", "1", False, 1280), ("video", "2", True, 1280)]
    lines = marked.split("\r\n")
    # b= follows c= (RFC 4566 order), the tag follows the mid.
    assert lines[lines.index("a=mid:2") + 1] == "a=content:slides"
    third = lines.index("m=video 9 UDP/TLS/RTP/SAVPF 97", lines.index("a=mid:1"))
    assert lines[third + 1:third + 3] == ["c=IN IP4 127.0.0.1", "b=AS:1280"]
    assert marked.endswith("\r\n") and "\n\n" not in marked.replace("\r\n", "\n")
    assert slides_mid(marked) == "2" and bandwidth_for(marked, "2") == 1280


def test_edits_are_not_repeated_and_lf_text_stays_lf() -> None:
    once = mark_slides(OFFER, "2", 768)
    assert mark_slides(once, "2", 768) == once
    lf = OFFER.replace("\r\n", "\n")
    marked = mark_slides(lf, "2", None)
    assert "\r" not in marked and marked.count("a=content:slides") == 1
    assert "b=AS" not in marked


def test_without_a_slides_mid_only_the_budget_is_added() -> None:
    marked = mark_slides(OFFER, None, 512)
    assert "a=content:slides" not in marked
    assert marked.count("b=AS:512") == 2
    assert slides_mid(marked) is None


@pytest.mark.parametrize(("answer_line", "port", "answered"), [
    ("a=sendonly", "9", True),
    ("a=sendrecv", "9", True),
    ("a=inactive", "9", False),  # an older node that ignores the slides m-line
    ("a=recvonly", "9", False),
    ("a=sendonly", "0", False),  # rejected
])
def test_slides_answered(answer_line: str, port: str, answered: bool) -> None:
    answer = OFFER.replace("a=recvonly", answer_line).replace(
        "m=video 9 UDP/TLS/RTP/SAVPF 97\r\nc=IN IP4 127.0.0.1\r\na=mid:2",
        f"m=video {port} UDP/TLS/RTP/SAVPF 97\r\nc=IN IP4 127.0.0.1\r\na=mid:2")
    assert slides_answered(answer, "2") is answered


def test_an_answer_without_the_mid_is_not_an_answer_for_slides() -> None:
    assert slides_answered(OFFER, "7") is False
    tagged = tag_answer_slides(OFFER.replace("a=recvonly", "a=sendonly"), "2")
    assert slides_mid(tagged) == "2"


def test_main_sections_are_tagged_main_like_pexips_clients_do() -> None:
    marked = mark_slides(OFFER, "2", None, main_mids=("0", "1"))
    lines = marked.split("\r\n")
    assert lines[lines.index("a=mid:0") + 1] == "a=content:main"
    assert lines[lines.index("a=mid:1") + 1] == "a=content:main"
    assert lines[lines.index("a=mid:2") + 1] == "a=content:slides"
    assert slides_mid(marked) == "2"
    assert mark_slides(marked, "2", None, main_mids=("0", "1")) == marked


def test_garbage_is_left_alone() -> None:
    assert media_sections("not sdp") == []
    assert mark_slides("v=0\r\n", "1", 100) == "v=0\r\n"
