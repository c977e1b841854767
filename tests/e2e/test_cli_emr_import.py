"""`ptrcm synth export` then `ptrcm import hl7|fhir|csv` as a user runs them: counts, a
second run that changes nothing, the CSV preview, and exit 2 for a bad mapping."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.cli import ptrcm
from tests.unit.interfaces.clinic import synthetic_clinic


def test_export_and_import_each_format(tmp_path: Path) -> None:
    jsonl, visits = synthetic_clinic(tmp_path, patients=3)
    n = len(visits)
    exports = {"hl7": tmp_path / "run.hl7", "fhir": tmp_path / "fhir", "csv": tmp_path / "x.csv"}
    for kind, out in exports.items():
        done = ptrcm("synth", "export", str(jsonl), "--to", kind, "--out", str(out))
        assert done.returncode == 0, done.stderr
        assert f"{n} visits written" in done.stdout
    mapping = tmp_path / "x.mapping.toml"
    assert mapping.is_file()
    for kind, out in exports.items():
        db = f"sqlite:///{tmp_path / (kind + '.db')}"
        extra = ["--mapping", str(mapping)] if kind == "csv" else []
        for inserted in (n, 0):
            done = ptrcm("import", kind, str(out), *extra, "--db", db, "--format", "json")
            assert done.returncode == 0, done.stderr
            report = json.loads(done.stdout)
            assert (report["inserted"], report["updated"], report["quarantined"]) == (
                inserted, 0, 0,
            )  # fmt: skip
    shown = ptrcm("import", "csv", str(exports["csv"]), "--mapping", str(mapping), "--preview",
                  "--rows", "2")  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.count("\nline ") == 2 and visits[0].visit_id in shown.stdout
    (tmp_path / "bad.toml").write_text("[visit]\n", encoding="utf-8")
    bad = ptrcm("import", "csv", str(exports["csv"]), "--mapping", str(tmp_path / "bad.toml"))
    assert bad.returncode == 2 and "visit.visit_id" in bad.stderr
