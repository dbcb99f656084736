"""Finding a meeting domain's node: _pexapp._tcp SRV in RFC 2782 order, A/AAAA fallback,
status checks with 503 = maintenance, and no lookup or contact outside the allowed domains —
against a real DNS server and real simulated nodes on loopback."""

from __future__ import annotations

import collections
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from loopback_dns import LoopbackDns

from kiosk.calendar.dial_target import AddressPolicy, DialTarget
from kiosk.calendar.join_plan import join_request_for
from kiosk.calendar.node_discovery import (
    DomainNotAllowed,
    NodeCandidate,
    NodeDiscovery,
    make_resolver,
    node_is_up,
)
from kiosk.simulator.background import SimulatorThread
from kiosk.simulator.rooms import load_demo_rooms

POLICY = AddressPolicy.for_node("https://pexip.example.com", ("vc.test", "localhost"))


@pytest.fixture
def two_nodes(tmp_path: Path) -> Iterator[tuple[SimulatorThread, SimulatorThread, str]]:
    """Two simulated nodes and a CA bundle trusting both."""
    with SimulatorThread(load_demo_rooms()) as first, SimulatorThread(load_demo_rooms()) as second:
        assert first.ca_bundle is not None and second.ca_bundle is not None
        bundle = tmp_path / "both.pem"
        bundle.write_text(first.ca_bundle.read_text() + second.ca_bundle.read_text())
        yield first, second, str(bundle)


def port(node: SimulatorThread) -> int:
    return urlsplit(node.url).port or 443


def discovery(dns: LoopbackDns, verify: bool | str = True, fallback_port: int = 443,
              policy: AddressPolicy = POLICY) -> NodeDiscovery:
    return NodeDiscovery(policy, verify=verify, resolver=make_resolver("127.0.0.1", dns.port),
                         fallback_port=fallback_port)


def test_srv_records_are_tried_lowest_priority_first() -> None:
    zone = """
_pexapp._tcp.vc.test. 60 IN SRV 20 100 9003 backup.vc.test.
_pexapp._tcp.vc.test. 60 IN SRV 10 100 9001 primary.vc.test.
_pexapp._tcp.vc.test. 60 IN SRV 30 0 9004 .
"""
    with LoopbackDns(zone) as dns:
        found = discovery(dns).candidates("vc.test")
    # The "." target (service not offered) is never a candidate.
    assert found == [NodeCandidate("primary.vc.test", 9001), NodeCandidate("backup.vc.test", 9003)]
    assert found[0].url == "https://primary.vc.test:9001"


def test_srv_records_of_one_priority_are_picked_by_weight() -> None:
    zone = """
_pexapp._tcp.vc.test. 60 IN SRV 10 90 443 heavy.vc.test.
_pexapp._tcp.vc.test. 60 IN SRV 10 10 443 light.vc.test.
"""
    firsts: collections.Counter[str] = collections.Counter()
    with LoopbackDns(zone) as dns:
        finder = discovery(dns)
        for _ in range(200):
            firsts[finder.candidates("vc.test")[0].host] += 1
    # RFC 2782: a weight of 90 against 10 comes first about 90 % of the time; both appear.
    assert firsts["heavy.vc.test"] > 130
    assert firsts["light.vc.test"] > 0


def test_without_srv_the_domain_itself_is_the_node_when_it_has_an_address() -> None:
    zone = """
vc.test. 60 IN AAAA ::1
localhost. 60 IN A 127.0.0.1
"""
    with LoopbackDns(zone) as dns:
        finder = discovery(dns, fallback_port=8443)
        assert finder.candidates("vc.test") == [NodeCandidate("vc.test", 8443)]
        assert finder.candidates("localhost") == [NodeCandidate("localhost", 8443)]
        assert ("_pexapp._tcp.vc.test", "SRV") in dns.queries


def test_a_domain_without_any_record_has_no_candidates() -> None:
    with LoopbackDns("other.test. 60 IN A 127.0.0.1") as dns:
        assert discovery(dns).candidates("vc.test") == []
        assert discovery(dns).find_node("vc.test") is None


def test_a_domain_outside_the_meeting_domains_is_never_looked_up() -> None:
    zone = "_pexapp._tcp.evil.test. 60 IN SRV 10 100 443 127.0.0.1."
    with LoopbackDns(zone) as dns:
        finder = discovery(dns)
        with pytest.raises(DomainNotAllowed):
            finder.candidates("evil.test")
        assert finder.find_node("evil.test") is None
        # Nor a look-alike that only ends with an allowed name.
        with pytest.raises(DomainNotAllowed):
            finder.candidates("notvc.test")
        assert dns.queries == []


def test_the_first_node_that_is_up_wins_and_maintenance_is_skipped(
    two_nodes: tuple[SimulatorThread, SimulatorThread, str]
) -> None:
    first, second, bundle = two_nodes
    # The higher-priority node is in maintenance: 503 to /status.
    first.control.inject_fault("/status", status=503, count=5)
    zone = f"""
_pexapp._tcp.vc.test. 60 IN SRV 10 100 {port(first)} localhost.
_pexapp._tcp.vc.test. 60 IN SRV 20 100 {port(second)} 127.0.0.1.
"""
    with LoopbackDns(zone) as dns:
        assert discovery(dns, verify=bundle).find_node("vc.test") == f"https://127.0.0.1:{port(second)}"
    assert not node_is_up(f"https://localhost:{port(first)}", bundle)


def test_a_node_that_cannot_be_reached_or_trusted_is_skipped(
    two_nodes: tuple[SimulatorThread, SimulatorThread, str]
) -> None:
    first, second, bundle = two_nodes
    assert second.ca_bundle is not None
    zone = f"""
_pexapp._tcp.vc.test. 60 IN SRV 10 100 1 localhost.
_pexapp._tcp.vc.test. 60 IN SRV 20 100 {port(first)} localhost.
_pexapp._tcp.vc.test. 60 IN SRV 30 100 {port(second)} localhost.
"""
    with LoopbackDns(zone) as dns:
        # Port 1 refuses; the first simulator's certificate is not trusted by this bundle.
        found = discovery(dns, verify=str(second.ca_bundle)).find_node("vc.test")
    assert found == f"https://localhost:{port(second)}"


def test_a_calendar_target_becomes_a_join_request_on_the_discovered_node(
    two_nodes: tuple[SimulatorThread, SimulatorThread, str]
) -> None:
    first, _, bundle = two_nodes
    zone = f"_pexapp._tcp.vc.test. 60 IN SRV 10 100 {port(first)} localhost."
    with LoopbackDns(zone) as dns:
        finder = discovery(dns, verify=bundle)
        target = DialTarget("meet.open@vc.test", "pexip-sip", discover_domain="vc.test")
        request = join_request_for(target, finder)
        assert request.node == f"https://localhost:{port(first)}"
        assert request.alias == "meet.open@vc.test"
        # A link that names its node is joined there, with no lookup at all.
        asked = len(dns.queries)
        linked = DialTarget("meet.open", "pexip-webapp-link", pin="1234",
                            node_url="https://vc.test:8443")
        assert join_request_for(linked, finder).node == "https://vc.test:8443"
        assert join_request_for(linked, finder).pin == "1234"
        assert len(dns.queries) == asked
    # No domain to discover: the configured node.
    assert join_request_for(DialTarget("meet.open", "pexip-uri"), None).node is None
