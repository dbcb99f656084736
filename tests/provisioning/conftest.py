"""Provisioning tests: the `slow` marker and helpers shared by the files here."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # Also to be registered in pyproject.toml ([tool.pytest.ini_options] markers).
    config.addinivalue_line(
        "markers", "slow: builds a Debian tree with debootstrap and installs into it (minutes)"
    )
