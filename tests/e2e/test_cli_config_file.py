"""`ptrcm.toml`: read from the working directory unless --config names another file, taken
by every command that uses it (import and demo included), and strict: an unknown key in any
section stops the command naming the file and the key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.cli import ptrcm
from tests.unit.scrub.factory import base
from tests.unit.x12_write.factory import INSTITUTIONAL_PAYERS
from tests.unit.x12_write.factory import visit_record as claim_visit


def _visits(folder: Path) -> Path:
    path = folder / "visits.jsonl"
    path.write_text(json.dumps(base()) + "\n", encoding="utf-8")
    return path


def _charges(folder: Path, *args: str) -> str:
    done = ptrcm("charges", str(_visits(folder)), "--format", "json", *args, cwd=folder)
    assert done.returncode == 0, done.stderr
    return str(json.loads(done.stdout)["charges"])


def test_ptrcm_toml_in_the_working_directory_is_read_and_config_wins_over_it(
    tmp_path: Path,
) -> None:
    plain, configured = tmp_path / "plain", tmp_path / "configured"
    plain.mkdir()
    configured.mkdir()
    (configured / "ptrcm.toml").write_text('[charges]\n97110 = "99.00"\n', encoding="utf-8")
    other = tmp_path / "other.toml"
    other.write_text('[charges]\n97110 = "10.00"\n', encoding="utf-8")
    built_in = _charges(plain)
    from_cwd = _charges(configured)
    from_option = _charges(configured, "--config", str(other))
    assert len({built_in, from_cwd, from_option}) == 3
    assert float(from_cwd) > float(built_in) > float(from_option)


BAD_KEYS = [
    ('[clinic]\nnmae = "Lakeside PT"\n', "clinic.nmae"),
    ('[rules]\nignor = ["E001"]\n', "rules.ignor"),
    ('[billing]\nunit_method = "cms"\n', "billing.unit_method"),
    ('[x12]\nsender = "ABC"\n', "x12.sender"),
    ('[payers.MEDICARE]\nkx_treshold = "2410.00"\n', "payers.MEDICARE.kx_treshold"),
]


@pytest.mark.parametrize(("text", "key"), BAD_KEYS, ids=[k for _t, k in BAD_KEYS])
def test_an_unknown_key_in_the_working_directory_file_stops_the_command(
    tmp_path: Path, text: str, key: str
) -> None:
    (tmp_path / "ptrcm.toml").write_text(text, encoding="utf-8")
    done = ptrcm("charges", str(_visits(tmp_path)), cwd=tmp_path)
    assert done.returncode == 2, done.stdout
    assert f"ptrcm.toml: key {key}:" in done.stderr
    assert done.stderr.strip().count("\n") == 0


@pytest.mark.parametrize(
    "command",
    [
        ("import", "visits", "visits.jsonl"),
        ("import", "master", "clinic.master.json"),
        ("import", "appointments", "clinic.appointments.jsonl"),
        ("demo", "--patients", "5", "--months", "1", "--out", "demo"),
        ("report", "kpis"),
        ("claims", "build"),
        ("appeals", "queue"),
        ("worklist",),
    ],
    ids=" ".join,
)
def test_import_demo_and_database_commands_take_config_and_check_it_first(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[clinic]\ntimezone = "Mars/Olympus"\n', encoding="utf-8")
    database = tmp_path / "clinic.db"
    done = ptrcm(*command, "--config", str(bad), "--db", f"sqlite:///{database}", cwd=tmp_path)
    assert done.returncode == 2, done.stdout
    assert f"{bad}: key clinic.timezone:" in done.stderr
    assert not database.exists()  # stopped before anything was written
    assert not (tmp_path / "demo").exists()


def test_the_readme_example_configuration_is_accepted(tmp_path: Path) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    start = readme.index("```toml\n") + len("```toml\n")
    (tmp_path / "ptrcm.toml").write_text(readme[start : readme.index("```", start)])
    done = ptrcm("charges", str(_visits(tmp_path)), "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr


def test_claim_file_settings_of_a_payer_are_not_taken_for_rule_pack_parameters(
    tmp_path: Path,
) -> None:
    config = tmp_path / "institutional.toml"
    config.write_text(INSTITUTIONAL_PAYERS, encoding="utf-8")  # type_of_bill, patient_status
    visits = tmp_path / "visits.jsonl"
    visits.write_text(json.dumps(claim_visit(payer_id="CORF_MEDICARE")) + "\n")
    done = ptrcm("scrub", str(visits), "--config", str(config), "--as-of", "2026-03-20")
    assert done.returncode in (0, 1), done.stderr
