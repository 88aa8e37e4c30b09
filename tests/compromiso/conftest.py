"""Fixtures for Compromiso Migrante tests."""

from __future__ import annotations

import pytest

from portal.compromiso import seed


@pytest.fixture(scope="session")
def pdf() -> bytes:
    """A small valid PDF (a carta, or evidence)."""
    return seed.sample_pdf("Carta de Compromiso firmada")
