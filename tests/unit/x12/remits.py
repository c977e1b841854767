"""Hand-built 835 fixtures (our own words and numbers)."""

from __future__ import annotations

ENVELOPE_HEAD = (
    "ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC         *260601*0900*^*00501"
    "*000000042*0*P*:~\nGS*HP*PAYER*CLINIC*20260601*0900*42*X*005010X221A1~\n"
)


def envelope(body: list[str], st_control: str = "1001") -> str:
    """Wrap 835 body segments (without terminators) in a correct envelope."""
    segs = ["ST*835*" + st_control, *body, f"SE*{len(body) + 2}*{st_control}"]
    return ENVELOPE_HEAD + "".join(s + "~\n" for s in segs) + "GE*1*42~\nIEA*1*000000042~\n"


HEADER = [
    "BPR*I*{total}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*888888888*DA*98765*20260601",
    "TRN*1*EFT20260601*1512345678",
    "DTM*405*20260530",
    "N1*PR*ACME HEALTH",
    "N3*1 PLAN WAY",
    "N4*DALLAS*TX*75001",
    "PER*BL*EDI DESK*TE*2145550100",
    "N1*PE*RIVERSIDE PT*XX*1679576722",
    "REF*TJ*741234567",
    "LX*1",
]

# Partial payment: line-level CO-45 and PR-2; the payer dropped modifier 59 (SVC06 original).
PARTIAL = [
    "CLP*PCN-1*1*200*110*30*12*PAYER-CCN-1*11*1",
    "NM1*QC*1*DOE*JANE****MI*M001",
    "NM1*IL*1*DOE*JOHN****MI*M000",
    "MOA***MA01*N59",
    "REF*EA*CHART9",
    "DTM*232*20260510",
    "DTM*050*20260515",
    "AMT*AU*140",
    "SVC*HC:97110:GP*120*60**2*HC:97110:GP:59",
    "DTM*472*20260510",
    "CAS*CO*45*40",
    "CAS*PR*2*20",
    "REF*6R*L1",
    "AMT*B6*80",
    "LQ*HE*N130",
    "SVC*HC:97140:GP*80*50**1",
    "DTM*472*20260510",
    "CAS*CO*45*20*1*253*0",
    "CAS*PR*2*10",
    "REF*6R*L2",
    "AMT*B6*60",
]
# Denial: claim-level CO-50, nothing paid.
DENIAL = [
    "CLP*PCN-2*4*150*0**12*PAYER-CCN-2",
    "CAS*CO*50*150",
    "NM1*QC*1*ROE*RICK****MI*M002",
]
# Reversal of an earlier payment and its correction.
REVERSAL = [
    "CLP*PCN-3*22*-100*-70*-30*12*PAYER-CCN-3",
    "CAS*PR*2*-30",
    "NM1*QC*1*POE*PAT****MI*M003",
]
CORRECTION = [
    "CLP*PCN-3*1*100*80*20*12*PAYER-CCN-3B",
    "CAS*PR*2*20",
    "NM1*QC*1*POE*PAT****MI*M003",
    "NM1*74*1*POE*PATRICIA",
]
# Provider-level: interest paid (negative reduces nothing) and a recoupment.
PLB = ["PLB*1679576722*20261231*L6:INT1*-2.5*WO:PCN-OLD*12.5"]

# BPR02 = 110 + 0 - 70 + 80 - (-2.5 + 12.5) = 110.
TOTAL = "110"


def sample_835(total: str = TOTAL, claims: list[list[str]] | None = None) -> str:
    """The hand-built 835: partial payment, denial, reversal + correction, PLB."""
    parts = claims if claims is not None else [PARTIAL, DENIAL, REVERSAL, CORRECTION]
    body = [h.format(total=total) for h in HEADER]
    for claim in parts:
        body += claim
    return envelope(body + PLB)
