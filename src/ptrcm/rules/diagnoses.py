"""D rules: the visit's ICD-10-CM diagnoses and the claim lines' pointers to them.

Pack parameters read (name, default):

- ``therapy_dx_prefixes``: ``DEFAULT_THERAPY_DX_PREFIXES`` — D005, ICD-10-CM prefixes that
  support any therapy code without a row of its own in ``dx_crosswalk``.
- ``dx_crosswalk``: ``DEFAULT_DX_CROSSWALK`` — D005, rows ``{codes = [...], prefixes =
  [...], confidence, note}``: the prefixes that support the listed procedure codes
  (a code's row replaces the general list for that code).

A diagnosis is never fixed automatically: choosing one is a clinical and coding decision,
so every D rule reports and says what to do. Codes are compared without their dot.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ptrcm.domain.claims import ClaimLine
from ptrcm.rules.engine import Hit, Pack, Rule, ScrubContext, Severity
from ptrcm.rules.icd10 import is_external_cause, normalize_code, with_dot

# Conditions therapy treats [D]: musculoskeletal (M), injury (S, T), nervous system (G),
# congenital (Q), stroke sequelae (I69), lymphoedema (I89), vestibular (H81), developmental
# speech/motor (F80, F82), symptoms of gait, balance, coordination, cognition, speech,
# swallowing, weakness, oedema (R...), incontinence and prolapse (N39, N81), and aftercare,
# amputation, joint replacement and post-procedural states (Z47, Z48, Z89, Z96, Z98).
# The same list as the shipped Medicare pack, so a pack without the parameter agrees.
DEFAULT_THERAPY_DX_PREFIXES: tuple[str, ...] = (
    "M", "S", "T", "G", "I69", "I89", "H81", "Q", "F80", "F82",
    "R13", "R25", "R26", "R27", "R29", "R41", "R42", "R47", "R48", "R49", "R53", "R60",
    "N39", "N81", "Z47", "Z48", "Z89", "Z96", "Z98",
)  # fmt: skip

# Speech-language pathology [D]: speech, language, voice, fluency and swallowing disorders
# need a diagnosis of that kind or of its neurological cause (stroke sequelae, nervous
# system, brain injury), cleft palate, hearing loss or a vocal-cord disorder.
SLP_DX_PREFIXES: tuple[str, ...] = (
    "R13", "R41", "R47", "R48", "R49", "F80", "F98.5", "I69", "G", "S06",
    "J38", "Q35", "Q36", "Q37", "H90", "H91",
)  # fmt: skip

DEFAULT_DX_CROSSWALK: tuple[Mapping[str, Any], ...] = (
    {
        "codes": ("92507", "92521", "92522", "92523", "92524", "92526", "92610"),
        "prefixes": SLP_DX_PREFIXES,
        "confidence": "D",
        "note": "SLP treatment and evaluation codes: speech, language, voice, swallowing",
    },
)

_CROSSWALK_KEY = "diagnoses.crosswalk"


def _bare_prefixes(prefixes: Sequence[str]) -> tuple[str, ...]:
    return tuple(p.strip().upper().replace(".", "") for p in prefixes)


def crosswalk_index(pack: Pack) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """(procedure code -> supporting prefixes, general therapy prefixes), without dots."""
    general = _bare_prefixes(pack.param("therapy_dx_prefixes", DEFAULT_THERAPY_DX_PREFIXES))
    by_code: dict[str, tuple[str, ...]] = {}
    for row in pack.param("dx_crosswalk", DEFAULT_DX_CROSSWALK):
        prefixes = _bare_prefixes(row["prefixes"])
        for code in row["codes"]:
            by_code[code] = by_code.get(code, ()) + prefixes
    return by_code, general


def _pointed(line: ClaimLine, diagnoses: Sequence[str]) -> list[str]:
    return [diagnoses[p - 1] for p in line.dx_pointers if 1 <= p <= len(diagnoses)]


def check_code_exists(ctx: ScrubContext) -> Iterator[Hit]:
    """D001: every diagnosis must be an ICD-10-CM code (ICD-10-CM tabular list; CARC 16)."""
    for position, code in enumerate(ctx.visit.diagnoses, start=1):
        if not ctx.diagnoses.exists(code):
            yield Hit(
                f"Diagnosis {position} {code!r} is not an ICD-10-CM code: correct it from the "
                "documentation (check for a typo or a retired code)."
            )


def check_code_billable(ctx: ScrubContext) -> Iterator[Hit]:
    """D002: a diagnosis must be coded to the highest specificity (a leaf of the tabular list).

    ICD-10-CM Official Guidelines §I.B.2: a three-character code is used only when it has
    no subdivisions; otherwise the full code with all its characters is required.
    """
    for position, code in enumerate(ctx.visit.diagnoses, start=1):
        if ctx.diagnoses.exists(code) and not ctx.diagnoses.is_billable(code):
            yield Hit(
                f"Diagnosis {position} {with_dot(code)} is a category, not a billable code: "
                "code it to the highest specificity the documentation supports."
            )


def check_pointers(ctx: ScrubContext) -> Iterator[Hit]:
    """D003: the claim needs a diagnosis, and every line a pointer to one of them.

    837P loop 2400 SV107 / CMS-1500 item 24E: each line points at 1–4 of the claim's
    diagnoses; a pointer past the last diagnosis is a rejection (CARC 16, MA130).
    """
    diagnoses = ctx.visit.diagnoses
    if not diagnoses:
        yield Hit(
            "The visit has no diagnosis: add the ICD-10-CM codes from the plan of care "
            "before the claim is released."
        )
        return
    for line in ctx.charges.lines:
        bad = [p for p in line.dx_pointers if not 1 <= p <= len(diagnoses)]
        if not line.dx_pointers:
            message = "Line has no diagnosis pointer: point it at the diagnosis it treats."
        elif bad:
            message = (
                f"Line points at diagnosis {', '.join(map(str, bad))} but the visit has only "
                f"{len(diagnoses)}: point it at one of diagnoses 1–{len(diagnoses)}."
            )
        else:
            continue
        yield Hit(message, line=line.line_number, code=line.code)


def check_external_cause_first(ctx: ScrubContext) -> Iterator[Hit]:
    """D004: an external-cause code (V00–Y99) is never the first-listed diagnosis.

    ICD-10-CM Official Guidelines §I.C.20: external-cause codes are secondary codes only.
    """
    diagnoses = ctx.visit.diagnoses
    if diagnoses and is_external_cause(diagnoses[0]):
        yield Hit(
            f"External-cause code {with_dot(diagnoses[0])} is listed first: list the injury or "
            "condition treated first and keep the external cause as a secondary code."
        )


def check_crosswalk(ctx: ScrubContext) -> Iterator[Hit]:
    """D005: a therapy line needs a pointed diagnosis the payer accepts for that code.

    Medical necessity by diagnosis (payer LCD/policy crosswalks; CARC 11, 50, 167). A line
    passes when any diagnosis it points at starts with one of the prefixes for its code
    (``dx_crosswalk`` row, else ``therapy_dx_prefixes``). Only therapy codes (the catalog
    names a discipline, or a crosswalk row lists the code) are checked; lines without a
    valid pointer are D003's. The default crosswalk is derived, not a payer's list [D].
    """
    by_code, general = ctx.pack.derived(_CROSSWALK_KEY, crosswalk_index)
    for line in ctx.charges.lines:
        prefixes = by_code.get(line.code)
        if prefixes is None:
            info = ctx.catalog.get(line.code)
            if info is None or not info.disciplines:
                continue
            prefixes = general
        pointed = _pointed(line, ctx.visit.diagnoses)
        if not pointed:
            continue
        bare = [normalize_code(code) or "" for code in pointed]
        if any(code.startswith(prefixes) for code in bare):
            continue
        shown = ", ".join(with_dot(code) for code in pointed)
        yield Hit(
            f"{line.code} points only at {shown}, which this payer does not accept as support "
            "for it: point the line at the treated condition, or correct the diagnosis.",
            line=line.line_number,
            code=line.code,
        )


RULES: tuple[Rule, ...] = (
    Rule(
        "D001",
        "Diagnosis is not an ICD-10-CM code",
        Severity.ERROR,
        "ICD-10-CM tabular list (code set in force on the date of service)",
        check_code_exists,
        "diagnosis M54.99, which ICD-10-CM does not have",
    ),
    Rule(
        "D002",
        "Diagnosis not coded to the highest specificity (not billable)",
        Severity.ERROR,
        "ICD-10-CM Official Guidelines §I.B.2 (code to the highest number of characters)",
        check_code_billable,
        "diagnosis M54.1, a category whose subcodes M54.10–M54.18 are the billable codes",
    ),
    Rule(
        "D003",
        "No diagnosis, or a line without a valid diagnosis pointer",
        Severity.ERROR,
        "837P 2400 SV107 / CMS-1500 item 24E diagnosis pointers",
        check_pointers,
        "one diagnosis on the visit and a line pointing at diagnosis 2",
    ),
    Rule(
        "D004",
        "External-cause code listed as the first diagnosis",
        Severity.ERROR,
        "ICD-10-CM Official Guidelines §I.C.20 (external causes are never first-listed)",
        check_external_cause_first,
        "W19.XXXA (unspecified fall) as the first diagnosis",
    ),
    Rule(
        "D005",
        "Diagnosis does not support the procedure (payer crosswalk)",
        Severity.ERROR,
        "Payer diagnosis-to-procedure crosswalk / LCD medical necessity (CARC 11, 167) [D]",
        check_crosswalk,
        "92507 speech therapy pointing only at M54.16 (lumbar radiculopathy)",
    ),
)
