"""Where a visit sits in FHIR R4 resources (docs/interfaces.md has the table).

One Encounter is one visit; its ChargeItems (``context``) are the service lines, its
``diagnosis`` the Conditions in order, its participants Practitioners; its Coverages are
named by the therapy-visit extension (or found by beneficiary and order). What R4 has no
element for (minutes per line, plan of care, episode counts) is carried in two extensions.
"""

from __future__ import annotations

EXT_VISIT = "urn:ptrcm:fhir:therapy-visit"
EXT_LINE = "urn:ptrcm:fhir:charge-line"
CPT = "http://www.ama-assn.org/go/cpt"
HCPCS = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
NPI = "http://hl7.org/fhir/sid/us-npi"
PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
RELATIONSHIP = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
DISCIPLINE = "urn:ptrcm:discipline"
CREDENTIAL = "urn:ptrcm:credential"
PAYER = "urn:ptrcm:payer"
CODE_SYSTEMS = frozenset({CPT, HCPCS, "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"})
ROLES = {"rendering": "PPRF", "referring": "REF", "supervising": "RESP"}
GENDER = {"M": "male", "F": "female", "U": "unknown"}
SEX = {v: k for k, v in GENDER.items()} | {"other": "U"}
KINDS = ("Patient", "Practitioner", "Coverage", "Encounter", "ChargeItem", "Procedure",
         "Condition")  # fmt: skip

# therapy-visit sub-extensions: (url, interchange path, value[x] type)
VISIT_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("placeOfService", "place_of_service", "valueCode"),
    ("totalTimedMinutes", "total_timed_minutes", "valueInteger"),
    ("totalTreatmentMinutes", "total_treatment_minutes", "valueInteger"),
    ("planOfCareStart", "plan_of_care.start", "valueDate"),
    ("planOfCareCertifiedOn", "plan_of_care.certified_on", "valueDate"),
    ("planOfCareThrough", "plan_of_care.through", "valueDate"),
    ("episodeVisitNumber", "episode_visit_number", "valueInteger"),
    ("lastProgressReportVisit", "last_progress_report_visit", "valueInteger"),
    ("onsetDate", "onset_date", "valueDate"),
    ("kxYtdAllowed", "kx_ytd_allowed", "valueString"),
    ("eligibilityVerifiedOn", "eligibility_verified_on", "valueDate"),
    ("coverageActive", "coverage.active", "valueBoolean"),
    ("authorizationNumber", "authorization.number", "valueString"),
    ("authorizationVisitsAuthorized", "authorization.visits_authorized", "valueInteger"),
    ("authorizationVisitsUsed", "authorization.visits_used", "valueInteger"),
    ("authorizationStart", "authorization.start", "valueDate"),
    ("authorizationEnd", "authorization.end", "valueDate"),
    ("benefitsVisitLimit", "benefits.visit_limit", "valueInteger"),
    ("benefitsVisitsUsed", "benefits.visits_used", "valueInteger"),
    ("benefitsPlanYearStart", "benefits.plan_year_start", "valueDate"),
)
HAS_AUTHORIZATION, HAS_BENEFITS = "hasAuthorization", "hasBenefits"
COVERAGE_REF, OTHER_FIELDS = "coverage", "otherFields"

WHERE = {
    "visit_id": "Encounter.id",
    "patient_id": "Encounter.subject",
    "date_of_service": "Encounter.period.start",
    "payer_id": "Coverage(order 1).payor",
    "member_id": "Coverage(order 1).subscriberId",
    "location_id": "Encounter.location",
    "discipline": "Encounter.serviceType",
    "rendering": "Encounter.participant(PPRF)",
    "referring": "Encounter.participant(REF)",
    "supervising": "Encounter.participant(RESP)",
    "diagnoses": "Encounter.diagnosis",
    "patient": "Patient",
    "subscriber": "Coverage(order 1).subscriber",
    "secondary": "Coverage(order 2)",
    "coverage": "Coverage(order 1).period",
}
LINE_WHERE = {"code": "code", "units": "quantity", "modifiers": "extension(modifier)",
              "dx_pointers": "extension(dxPointer)", "minutes": "extension(minutes)",
              "assistant_minutes": "extension(assistantMinutes)"}  # fmt: skip


def fhir_where(path: str) -> str:
    """An interchange field path named by its FHIR element: "ChargeItem[2].quantity
    (services[1].units)"."""
    head = path.split(".", 1)[0]
    if head.startswith("services[") and "]" in head:
        number = int(head[len("services[") : head.index("]")]) + 1
        rest = path.split(".", 1)[1].split("[", 1)[0] if "." in path else ""
        return f"ChargeItem[{number}].{LINE_WHERE.get(rest, rest)} ({path})".replace(". (", " (")
    for url, name, _ in VISIT_FIELDS:
        if path == name:
            return f"Encounter.extension({url}) ({path})"
    place = WHERE.get(head.split("[", 1)[0])
    return f"{place} ({path})" if place else f"Encounter.extension ({path})"
