"""Where a visit sits in an HL7 v2.5.1 DFT^P03 message (docs/interfaces.md has the table).

Shared by the reader and the writer so the two cannot drift: field numbers, the code
tables we translate, and the ptrcm Z-segments that carry what HL7 v2 has no field for
(minutes per charge, plan of care, episode counts).
"""

from __future__ import annotations

ENCODING = "^~\\&"
VERSION = "2.5.1"
MESSAGE_TYPE = ("DFT", "P03")

# HL7 table 0063 (relationship to patient) <-> the interchange format's relationships.
RELATIONSHIP_CODES = {"self": "SEL", "spouse": "SPO", "child": "CHD", "other": "OTH"}
RELATIONSHIPS = {v: k for k, v in RELATIONSHIP_CODES.items()}
# FT1-7 / FT1-25 coding systems accepted for a procedure code.
CODE_SYSTEMS = frozenset({"CPT4", "C4", "CPT", "HCPCS", "HC", ""})

PV1_LOCATION, PV1_RENDERING, PV1_REFERRING, PV1_SUPERVISING = 3, 7, 8, 9
PV1_DISCIPLINE, PV1_PLACE, PV1_VISIT, PV1_DATE = 10, 18, 19, 44
FT1_DATE, FT1_TYPE, FT1_CODE, FT1_UNITS, FT1_DX, FT1_PROCEDURE, FT1_MODIFIERS = (
    4, 6, 7, 10, 19, 25, 26,
)  # fmt: skip
IN1_PLAN, IN1_PAYER, IN1_START, IN1_END, IN1_AUTH = 2, 3, 12, 13, 14
IN1_INSURED, IN1_RELATIONSHIP, IN1_INSURED_DOB, IN1_INSURED_ADDRESS = 16, 17, 18, 19
IN1_MEMBER, IN1_INSURED_SEX = 36, 43

# ZFT (one after each FT1): 1 set id, 2 minutes, 3 assistant minutes, 4 dx pointers (~).
# ZRV (one a message): the therapy facts of the visit, by field number.
ZRV_FIELDS: tuple[tuple[int, str], ...] = (
    (2, "total_timed_minutes"),
    (3, "total_treatment_minutes"),
    (4, "plan_of_care.start"),
    (5, "plan_of_care.certified_on"),
    (6, "plan_of_care.through"),
    (7, "episode_visit_number"),
    (8, "last_progress_report_visit"),
    (9, "onset_date"),
    (10, "kx_ytd_allowed"),
    (11, "eligibility_verified_on"),
    (12, "coverage.active"),
    (13, "authorization.visits_authorized"),
    (14, "authorization.visits_used"),
    (15, "authorization.start"),
    (16, "authorization.end"),
    (17, "benefits.visit_limit"),
    (18, "benefits.visits_used"),
    (19, "benefits.plan_year_start"),
)
ZRV_HAS_AUTHORIZATION, ZRV_HAS_BENEFITS, ZRV_EXTRA = 20, 21, 22

SEGMENT_IDS = frozenset(
    {
        "MSH", "EVN", "PID", "PD1", "PV1", "PV2", "ROL", "NTE", "FT1", "ZFT", "DG1", "DRG",
        "PR1", "GT1", "IN1", "IN2", "IN3", "ACC", "OBX", "ZRV", "NK1",
    }
)  # fmt: skip
# Where each interchange field came from, for problems named the HL7 way.
TOP_LEVEL = {
    "visit_id": f"PV1-{PV1_VISIT}",
    "patient_id": "PID-3",
    "date_of_service": f"PV1-{PV1_DATE}",
    "payer_id": f"IN1[1]-{IN1_PAYER}",
    "member_id": f"IN1[1]-{IN1_MEMBER}",
    "place_of_service": f"PV1-{PV1_PLACE}",
    "location_id": f"PV1-{PV1_LOCATION}",
    "discipline": f"PV1-{PV1_DISCIPLINE}",
    "rendering": f"PV1-{PV1_RENDERING}",
    "referring": f"PV1-{PV1_REFERRING}",
    "supervising": f"PV1-{PV1_SUPERVISING}",
    "diagnoses": "DG1-3",
    "patient": "PID",
    "subscriber": "IN1[1]",
    "secondary": "IN1[2]",
    "authorization": f"IN1[1]-{IN1_AUTH}",
    "coverage": f"IN1[1]-{IN1_START}",
}
SERVICE_FIELDS = {
    "code": f"{FT1_CODE}",
    "units": f"{FT1_UNITS}",
    "modifiers": f"{FT1_MODIFIERS}",
    "dx_pointers": f"{FT1_DX}",
}


def hl7_where(path: str) -> str:
    """An interchange field path named by its HL7 place, keeping the path: "FT1[2]-10
    (services[1].units)"."""
    head = path.split(".", 1)[0]
    if head.startswith("services[") and "]" in head:
        number = int(head[len("services[") : head.index("]")]) + 1
        rest = path.split(".", 1)[1] if "." in path else ""
        field = SERVICE_FIELDS.get(rest.split("[", 1)[0])
        place = f"FT1[{number}]-{field}" if field else f"ZFT[{number}]"
        return f"{place} ({path})"
    for number, name in ZRV_FIELDS:
        if path == name:
            return f"ZRV-{number} ({path})"
    key = head.split("[", 1)[0]
    where = TOP_LEVEL.get(key)
    return f"{where} ({path})" if where else f"ZRV ({path})"
