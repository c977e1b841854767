"""M rules for visits furnished by therapy assistants (PTA, OTA).

Medicare pays for a PTA's or OTA's services only as the services of the supervising
therapist, who is the provider the claim names (MBPM Pub 100-02 ch. 15 §230.1 (PT) and
§230.2 (OT): "services of PTAs/OTAs ... billed under the supervising therapist"; the
assistant has no billing number of their own for Part B). Assistants may not furnish
evaluations or re-evaluations, which are the therapist's (MBPM ch. 15 §230.1–230.2).

Pack parameter read: ``assistant_supervision_required`` (false) — M008/M009, on for
Medicare.
"""

from __future__ import annotations

from collections.abc import Iterator

from ptrcm.rules.engine import Hit, Rule, ScrubContext, Severity

SRC_230 = "MBPM Pub 100-02 ch. 15 §230.1 (PT) / §230.2 (OT): assistants' services"
SUPERVISED = frozenset({"PTA", "OTA"})


def _assistant_visit(ctx: ScrubContext) -> bool:
    return ctx.visit.rendering.credential in SUPERVISED and bool(
        ctx.pack.param("assistant_supervision_required", False)
    )


def assistant_without_supervisor(ctx: ScrubContext) -> Iterator[Hit]:
    """M008: an assistant's visit names no supervising therapist.

    MBPM ch. 15 §230.1/§230.2: the services are billed under the supervising PT/OT, so
    the claim's rendering provider is that therapist, never the assistant's NPI. Add the
    visit's ``supervising`` object (npi, name, credential). No automatic fix.
    """
    if _assistant_visit(ctx) and (ctx.visit.supervising is None or not ctx.visit.supervising.npi):
        cred = ctx.visit.rendering.credential
        yield Hit(
            f"the visit was furnished by a {cred}, whose services are billed under the"
            f" supervising therapist: add the supervising {cred[:-1]}'s NPI and name"
            " (visit field supervising)"
        )


def assistant_without_minutes(ctx: ScrubContext) -> Iterator[Hit]:
    """M009: an assistant's visit records no assistant minutes.

    CQ/CO units are decided from the minutes the assistant furnished without the
    therapist (CMS CQ/CO billing examples); a PTA/OTA visit with none recorded would be
    billed as the therapist's. Record each service's ``assistant_minutes``.
    """
    if not _assistant_visit(ctx):
        return
    treated = [
        s for s in ctx.visit.services if not _is_evaluation(ctx, s.code) and s.code in ctx.catalog
    ]
    if treated and not any(s.assistant_minutes for s in treated):
        yield Hit(
            f"the visit was furnished by a {ctx.visit.rendering.credential} but no service"
            " records assistant minutes: record the minutes the assistant furnished without"
            " the therapist, so the CQ/CO units can be decided"
        )


def evaluation_by_assistant(ctx: ScrubContext) -> Iterator[Hit]:
    """M010: an evaluation or re-evaluation furnished by an assistant.

    MBPM ch. 15 §230.1/§230.2: PTAs and OTAs may not furnish evaluations or
    re-evaluations. Adding CQ/CO does not make it billable: the therapist must furnish
    and bill it. No automatic fix.
    """
    by_assistant = ctx.visit.rendering.credential in SUPERVISED
    for line in ctx.charges.lines:
        if not _is_evaluation(ctx, line.code):
            continue
        if by_assistant or line.assistant_minutes > 0:
            yield Hit(
                f"{line.code} is an evaluation/re-evaluation, which a PTA/OTA may not furnish:"
                " the therapist must furnish and bill it (CQ/CO does not make it billable)",
                line=line.line_number,
                code=line.code,
            )


def _is_evaluation(ctx: ScrubContext, code: str) -> bool:
    info = ctx.catalog.get(code)
    return info is not None and info.is_evaluation


RULES: tuple[Rule, ...] = (
    Rule("M008", "Assistant's visit without a supervising therapist", Severity.ERROR, SRC_230,
         assistant_without_supervisor, "Medicare PT visit rendered by a PTA, no supervising PT"),
    Rule("M009", "Assistant's visit without assistant minutes", Severity.ERROR, SRC_230,
         assistant_without_minutes, "Medicare visit rendered by a PTA, assistant_minutes 0"),
    Rule("M010", "Evaluation furnished by an assistant", Severity.ERROR, SRC_230,
         evaluation_by_assistant, "97161 on a visit rendered by a PTA"),
)  # fmt: skip
