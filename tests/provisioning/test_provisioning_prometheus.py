"""The Prometheus examples scrape what the kiosk serves and alert on metrics that exist."""

from __future__ import annotations

import re

import yaml
from prometheus_client.parser import text_string_to_metric_families
from provisioning_support import PROVISIONING

from kiosk.config import Settings
from kiosk.health.metrics import KioskMetrics

SCRAPE = PROVISIONING / "prometheus" / "scrape-config.example.yml"
ALERTS = PROVISIONING / "prometheus" / "kiosk-alerts.example.yml"


def exported() -> tuple[set[str], set[str]]:
    """Every sample name (counters with _total etc.) and label name /metrics carries."""
    metrics = KioskMetrics()
    # Labelled counters show up once a label value has been counted.
    metrics.join_failures.labels(reason="conference_not_found").inc()
    metrics.calls_ended.labels(reason="left").inc()
    text = metrics.render().decode()
    samples = [s for family in text_string_to_metric_families(text) for s in family.samples]
    return {s.name for s in samples}, {label for s in samples for label in s.labels}


def test_scrape_config_targets_the_health_port_and_path() -> None:
    config = yaml.safe_load(SCRAPE.read_text())
    (job,) = [j for j in config["scrape_configs"] if j["job_name"] == "pexip-kiosk"]
    assert job["metrics_path"] == "/metrics"
    port = Settings().health_addr.rpartition(":")[2]
    targets = [t for group in job["static_configs"] for t in group["targets"]]
    assert targets and all(t.endswith(f":{port}") for t in targets)
    assert ALERTS.name in config["rule_files"]
    (relabel,) = job["relabel_configs"]
    match = re.fullmatch(relabel["regex"], "room-a101.kiosk.example.internal:9110")
    assert match and match.group(1) == "room-a101"


def test_alert_rules_use_only_metrics_the_kiosk_exports() -> None:
    rules = [rule for group in yaml.safe_load(ALERTS.read_text())["groups"]
             for rule in group["rules"]]
    assert len(rules) >= 5
    names, labels = exported()
    for rule in rules:
        expr = rule["expr"]
        for name in re.findall(r"\b(kiosk_[a-z_]+)\b(?!=)", expr):
            assert name in names, f"{rule['alert']}: {name} is not exported"
        for label in re.findall(r'(\w+)="[^"]*"', expr):
            # `job` is Prometheus' own target label.
            assert label in labels | {"job"}, f"{rule['alert']}: no label {label}"
