"""MediaStats of a call from aiortc's getStats report plus the call's own counters."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiortc.stats import (
    RTCInboundRtpStreamStats,
    RTCOutboundRtpStreamStats,
    RTCRemoteInboundRtpStreamStats,
    RTCTransportStats,
)


@dataclass(frozen=True)
class ReportTotals:
    """What one getStats report says about the call, summed over its streams."""

    bytes_sent: int = 0  # every packet on the transports (media, RTCP, DTLS)
    bytes_received: int = 0
    audio_packets_sent: int = 0
    audio_packets_received: int = 0
    packets_lost: int = 0  # lost on the way in plus lost on the way out (far end's reports)
    round_trip_ms: float | None = None


def read_report(report: Mapping[str, Any]) -> ReportTotals:
    """Sum up an `RTCStatsReport`."""
    sent = received = audio_sent = audio_received = lost = 0
    round_trips: list[float] = []
    for stats in report.values():
        if isinstance(stats, RTCTransportStats):
            sent += stats.bytesSent
            received += stats.bytesReceived
        elif isinstance(stats, RTCOutboundRtpStreamStats):
            if stats.kind == "audio":
                audio_sent += stats.packetsSent
        elif isinstance(stats, RTCRemoteInboundRtpStreamStats):
            lost += max(stats.packetsLost, 0)
            if stats.roundTripTime is not None:
                round_trips.append(stats.roundTripTime * 1000)
        elif isinstance(stats, RTCInboundRtpStreamStats):
            lost += max(stats.packetsLost, 0)
            if stats.kind == "audio":
                audio_received += stats.packetsReceived
    return ReportTotals(
        bytes_sent=sent,
        bytes_received=received,
        audio_packets_sent=audio_sent,
        audio_packets_received=audio_received,
        packets_lost=lost,
        round_trip_ms=sum(round_trips) / len(round_trips) if round_trips else None,
    )


class BitrateMeter:
    """Bit rates each way from byte totals sampled at successive `stats()` calls."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        # Start from zero bytes now: the first figures are averages since the call began.
        self._previous: tuple[float, int, int] = (clock(), 0, 0)
        self._rates = (0.0, 0.0)

    def update(self, bytes_sent: int, bytes_received: int) -> tuple[float, float]:
        """(out, in) in kbit/s since the previous update (the last figures if called too soon)."""
        now = self._clock()
        previous = self._previous
        elapsed = now - previous[0]
        if elapsed < 0.2:
            return self._rates
        self._rates = (
            max(bytes_sent - previous[1], 0) * 8 / elapsed / 1000,
            max(bytes_received - previous[2], 0) * 8 / elapsed / 1000,
        )
        self._previous = (now, bytes_sent, bytes_received)
        return self._rates
