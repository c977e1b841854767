"""`ptrcm payer simulate`: answer our 837 files with 999, 277CA and 835 files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ptrcm.cli_support import OutputFormat, emit_json, fail, opened, parse_day
from ptrcm.commands.options import Config, Fmt
from ptrcm.errors import PtrcmError

app = typer.Typer(help="A payer simulator for demos and tests.")

PROFILE_HELP = (
    "Built-in profile (medicare, medicare_advantage, medicaid, commercial, workers_comp)"
    " or a profile TOML file."
)
STATE_FILE = "payer-state.json"


@app.command("simulate")
def simulate_command(
    inbound: Annotated[str, typer.Option("--in", help="Folder of 837 files (our outbox).")],
    outbound: Annotated[str, typer.Option("--out", help="Folder the answers go to.")],
    profile: Annotated[str, typer.Option("--profile", help=PROFILE_HELP)],
    seed: Annotated[int, typer.Option(help="Seed: same files, same answers.")] = 0,
    members: Annotated[
        str | None, typer.Option("--members", help="Member file (JSON) the payer knows.")
    ] = None,
    received: Annotated[
        str | None,
        typer.Option("--received", help="Receipt date YYYY-MM-DD (default: the clinic's today)."),
    ] = None,
    config: Config = None,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """Read every *.837 in --in and write NAME.999, NAME.277ca and NAME.835 to --out.

    The payer's memory (visits counted, duplicates, deductibles) is kept in
    --out/payer-state.json, so later runs continue where earlier ones stopped.
    """
    from ptrcm.synth.payer import PayerSimulator
    from ptrcm.synth.payer_profile import load_members, load_profile
    from ptrcm.synth.payer_rules import PayerState

    with opened(config=config) as root:
        day = parse_day(received, "--received", root.clock.today)
        config_in_force = root.config
    src, dst = Path(inbound), Path(outbound)
    if not src.is_dir():
        raise fail(f"--in {inbound}: not a folder")
    dst.mkdir(parents=True, exist_ok=True)
    state_path = dst / STATE_FILE
    try:
        state = (
            PayerState.from_json(json.loads(state_path.read_text(encoding="utf-8")))
            if state_path.is_file()
            else PayerState()
        )
        codes = {p.payer_code: pid for pid, p in config_in_force.payers.items()}
        sim = PayerSimulator(
            load_profile(profile), load_members(members), config_in_force.clinic,
            payer_ids=codes, seed=seed, state=state,
        )  # fmt: skip
        written: list[dict[str, object]] = []
        for path in sorted(src.glob("*.837")):
            answer = sim.answer(path.read_text(encoding="ascii"), path.name, day)
            for name, text in answer.files.items():
                (dst / name).write_text(text, encoding="ascii", newline="")
            written.append(
                {
                    "file": path.name,
                    "answers": sorted(answer.files),
                    "claims": len(answer.outcomes),
                    "rejected": sum(1 for o in answer.outcomes if o.rejected),
                    "denied": sum(1 for o in answer.outcomes if o.denial or o.line_denials),
                    "paid": str(sum(o.paid.amount for o in answer.outcomes)),
                }
            )
    except (PtrcmError, UnicodeDecodeError) as exc:
        raise fail(str(exc)) from None
    state_path.write_text(json.dumps(sim.state.to_json(), indent=1), encoding="utf-8")
    if fmt is OutputFormat.json:
        emit_json(written)
        return
    for w in written:
        typer.echo(
            f"{w['file']}: {w['claims']} claims, {w['rejected']} rejected, {w['denied']} with"
            f" denials, paid {w['paid']} -> {', '.join(map(str, w['answers']))}"  # type: ignore[call-overload]
        )
