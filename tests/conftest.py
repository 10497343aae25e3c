"""Shared test fixtures.

``shared_dir`` points at the read-only ``../shared`` folder beside the project (real OSM samples,
VRPTW benchmark instances, reference facts). Tests that need it skip cleanly when it is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ``../shared`` folder; skip the test when it is not there."""
    if not SHARED.is_dir():
        pytest.skip("../shared is absent (real OSM samples and benchmarks live there)")
    return SHARED


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """Small hand-written fixtures committed with the tests."""
    return FIXTURES
