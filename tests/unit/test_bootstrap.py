"""The composition root: the clinic's clock, settings checked once, the store closed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ptrcm.bootstrap import Clock, DatabaseError, Root, missing_sqlite_file
from ptrcm.errors import ConfigError

LATE_EVENING_UTC = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)


def test_the_clinics_today_is_the_date_on_its_own_wall() -> None:
    assert Clock("Pacific/Kiritimati", lambda: LATE_EVENING_UTC).today() == date(2026, 3, 2)
    assert Clock("America/Chicago", lambda: LATE_EVENING_UTC).today() == date(2026, 3, 1)
    assert Clock("UTC", lambda: LATE_EVENING_UTC).now().tzinfo is not None


def test_the_root_clock_follows_the_configured_time_zone(tmp_path: Path) -> None:
    path = tmp_path / "ptrcm.toml"
    path.write_text('[clinic]\ntimezone = "Asia/Tokyo"\n', encoding="utf-8")
    assert str(Root(config_file=str(path)).clock.zone) == "Asia/Tokyo"


def test_the_scrubber_measures_to_the_clinics_today_unless_told(tmp_path: Path) -> None:
    clock = Clock("Pacific/Kiritimati", lambda: LATE_EVENING_UTC)
    root = Root(clock=clock)
    assert root.scrubber().as_of == date(2026, 3, 2)
    assert root.scrubber(date(2026, 1, 5)).as_of == date(2026, 1, 5)


def test_a_payer_parameter_typo_is_caught_when_the_settings_load(tmp_path: Path) -> None:
    path = tmp_path / "ptrcm.toml"
    path.write_text('[payers.MEDICARE]\nkx_treshold = "2410.00"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        _ = Root(config_file=str(path)).config
    assert caught.value.key == "payers.MEDICARE.kx_treshold"


def test_a_missing_sqlite_file_is_refused_unless_the_command_creates_databases(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'nope.db'}"
    assert missing_sqlite_file(url) == tmp_path / "nope.db"
    assert missing_sqlite_file("sqlite://") is None
    with Root(db=url) as root, pytest.raises(DatabaseError, match=r"nope\.db"):
        _ = root.store
    assert not (tmp_path / "nope.db").exists()
    with Root(db=url, create_db=True) as root:
        assert root.org_id == root.store.organization_id("default")
    assert (tmp_path / "nope.db").is_file()
    assert root._store is None  # closed on leaving the block
