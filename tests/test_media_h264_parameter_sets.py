"""Every H.264 IDR leaves with its SPS and PPS in front, whatever the encoder gave."""

from __future__ import annotations

from kiosk.media.h264_parameter_sets import ParameterSetInliner, nal_type, nal_units

SPS = b"\x67\x42\xe0\x1f\x8d"
PPS = b"\x68\xce\x06\xe2"
IDR = b"\x65\x88\x84\x00\x33"
SLICE = b"\x41\x9a\x02\x01"
AUD = b"\x09\xf0"


def stream(*units: bytes, long_codes: bool = True) -> bytes:
    code = b"\x00\x00\x00\x01" if long_codes else b"\x00\x00\x01"
    return b"".join(code + unit for unit in units)


def types(data: bytes) -> list[int]:
    return [nal_type(unit) for unit in nal_units(data)]


def test_units_are_split_on_three_and_four_byte_start_codes() -> None:
    assert list(nal_units(stream(SPS, PPS, IDR))) == [SPS, PPS, IDR]
    assert list(nal_units(stream(SLICE, SLICE, long_codes=False))) == [SLICE, SLICE]


def test_separate_headers_are_held_back_and_put_in_front_of_each_idr() -> None:
    inliner = ParameterSetInliner()
    assert inliner.process(stream(SPS, PPS)) is None  # a header-only packet (V4L2 M2M)
    assert types(inliner.process(stream(IDR)) or b"") == [7, 8, 5]
    assert inliner.process(stream(SLICE)) == stream(SLICE)  # other pictures untouched
    assert types(inliner.process(stream(AUD, IDR)) or b"") == [7, 8, 5]  # AUD dropped
    assert inliner.inserted == 2


def test_headers_from_extradata_and_idrs_that_have_them_already() -> None:
    inliner = ParameterSetInliner(extradata=stream(SPS, PPS))
    assert types(inliner.process(stream(IDR)) or b"") == [7, 8, 5]
    complete = stream(SPS, PPS, IDR)
    assert inliner.process(complete) is complete  # libx264 repeats them itself
    assert inliner.inserted == 1
