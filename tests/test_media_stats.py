"""Frame-rate and bitrate counters, and reading aiortc's stats report."""

from __future__ import annotations

import datetime

from aiortc.stats import (
    RTCInboundRtpStreamStats,
    RTCOutboundRtpStreamStats,
    RTCRemoteInboundRtpStreamStats,
    RTCStatsReport,
    RTCTransportStats,
)

from kiosk.media.call_stats import BitrateMeter, read_report
from kiosk.media.rate_meter import RateMeter


class FakeClock:
    def __init__(self) -> None:
        self.now = 10.0

    def __call__(self) -> float:
        return self.now


def test_rate_meter_reads_a_steady_rate_and_falls_to_zero_when_frames_stop() -> None:
    clock = FakeClock()
    meter = RateMeter(window=2.0, clock=clock)
    assert meter.rate() == 0.0
    for _ in range(90):
        meter.tick((640, 360))
        clock.now += 1 / 30
    assert abs(meter.rate() - 30.0) < 0.5
    assert meter.count == 90 and meter.last_size == (640, 360)
    clock.now += 3.0
    assert meter.rate() == 0.0
    assert meter.count == 90


def test_bitrate_meter_measures_each_way() -> None:
    clock = FakeClock()
    meter = BitrateMeter(clock=clock)
    clock.now += 2.0
    assert meter.update(250_000, 125_000) == (1000.0, 500.0)
    clock.now += 0.05  # too soon for a meaningful figure: the last one stands
    assert meter.update(260_000, 130_000) == (1000.0, 500.0)
    clock.now += 1.0
    out_kbps, in_kbps = meter.update(385_000, 255_000)
    # Measured from the last figure that counted (t + 2 s), over 1.05 s.
    assert round(out_kbps) == round(135_000 * 8 / 1.05 / 1000)
    assert round(in_kbps) == round(130_000 * 8 / 1.05 / 1000)


def test_read_report_sums_streams_and_transports() -> None:
    now = datetime.datetime.now()
    report = RTCStatsReport()
    report.add(RTCTransportStats(timestamp=now, type="transport", id="t", packetsSent=10,
                                 packetsReceived=10, bytesSent=5000, bytesReceived=7000,
                                 iceRole="controlling", dtlsState="connected"))
    report.add(RTCOutboundRtpStreamStats(timestamp=now, type="outbound-rtp", id="oa", ssrc=1,
                                         kind="audio", transportId="t", packetsSent=50,
                                         bytesSent=4000, trackId="a"))
    report.add(RTCOutboundRtpStreamStats(timestamp=now, type="outbound-rtp", id="ov", ssrc=2,
                                         kind="video", transportId="t", packetsSent=90,
                                         bytesSent=90000, trackId="v"))
    report.add(RTCInboundRtpStreamStats(timestamp=now, type="inbound-rtp", id="ia", ssrc=3,
                                        kind="audio", transportId="t", packetsReceived=48,
                                        packetsLost=2, jitter=0))
    report.add(RTCRemoteInboundRtpStreamStats(timestamp=now, type="remote-inbound-rtp",
                                              id="rv", ssrc=2, kind="video", transportId="t",
                                              packetsReceived=87, packetsLost=3, jitter=0,
                                              roundTripTime=0.04, fractionLost=0))
    totals = read_report(report)
    assert (totals.bytes_sent, totals.bytes_received) == (5000, 7000)
    assert (totals.audio_packets_sent, totals.audio_packets_received) == (50, 48)
    assert totals.packets_lost == 5
    assert totals.round_trip_ms is not None and abs(totals.round_trip_ms - 40.0) < 1e-6
    assert read_report({}).round_trip_ms is None


def test_rate_meter_never_reads_a_burst_as_a_huge_rate() -> None:
    clock = FakeClock()
    meter = RateMeter(window=2.0, clock=clock)
    for _ in range(4):  # four frames decoded within a millisecond after a stall
        meter.tick()
        clock.now += 0.0002
    assert meter.rate() <= 8.0
