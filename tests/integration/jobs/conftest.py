"""A fresh PostgreSQL schema migrated to head, the job queue's tables included."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ptrcm.store import db
from tests.integration.conftest import fresh_database


@pytest.fixture
def queue_db(tmp_path: Path) -> Iterator[str]:
    with fresh_database("postgresql", tmp_path) as url:
        engine = db.create_engine_for(url)
        db.upgrade(engine)
        engine.dispose()
        yield url
