"""Every H.264 IDR goes out with its SPS and PPS in front (Annex B byte streams).

A receiver that joins late or lost the first packets can only decode from an IDR
that carries the parameter sets. libx264 repeats them before each IDR; a V4L2
memory-to-memory encoder (FFmpeg's h264_v4l2m2m asks for "separate" headers)
gives them once, in a packet of their own, or only in the context's extradata.
`ParameterSetInliner` remembers the newest SPS/PPS, holds back a packet that has
nothing else, and puts them in front of every IDR that lacks them.
"""

from __future__ import annotations

from collections.abc import Iterator

START_CODE = b"\x00\x00\x00\x01"
NAL_IDR = 5
NAL_SPS = 7
NAL_PPS = 8
NAL_AUD = 9
PICTURE_NALS = frozenset(range(1, 6))  # coded slices (non-IDR 1-4, IDR 5)


def nal_units(stream: bytes) -> Iterator[bytes]:
    """The NAL units of an Annex B byte stream, without their start codes."""
    position = stream.find(b"\x00\x00\x01")
    while position != -1:
        start = position + 3
        following = stream.find(b"\x00\x00\x01", start)
        if following == -1:
            unit = stream[start:]
        else:
            # A 4-byte start code (00 00 00 01) leaves one zero before the next unit.
            end = following - 1 if stream[following - 1] == 0 else following
            unit = stream[start:end]
        if unit:
            yield unit
        position = following


def nal_type(unit: bytes) -> int:
    """The type (low five bits of the header byte) of one NAL unit."""
    return unit[0] & 0x1F


class ParameterSetInliner:
    """Rewrites an H.264 encoder's packets so that each IDR carries the SPS and PPS."""

    def __init__(self, extradata: bytes = b"") -> None:
        self._sps: bytes | None = None
        self._pps: bytes | None = None
        self.inserted = 0  # IDRs that got the parameter sets from us
        if extradata:
            self._remember(list(nal_units(extradata)))

    def process(self, data: bytes) -> bytes | None:
        """`data` ready to send, or None when it holds only parameter sets (kept for later)."""
        units = list(nal_units(data))
        self._remember(units)
        types = {nal_type(unit) for unit in units}
        if not types & PICTURE_NALS:
            return None
        if NAL_IDR in types and not {NAL_SPS, NAL_PPS} <= types:
            if self._sps is None or self._pps is None:
                return data  # nothing to add yet (a broken encoder): send what there is
            self.inserted += 1
            # An access unit delimiter would have to stay first: it is optional, dropped.
            body = [unit for unit in units if nal_type(unit) != NAL_AUD]
            return b"".join(START_CODE + unit for unit in [self._sps, self._pps, *body])
        return data

    def _remember(self, units: list[bytes]) -> None:
        for unit in units:
            kind = nal_type(unit)
            if kind == NAL_SPS:
                self._sps = unit
            elif kind == NAL_PPS:
                self._pps = unit

