"""The background jobs page (``read_queues``): the organization's jobs by status — queued,
running, succeeded, failed, retried — newest first, and a failed job put back in the queue
(``do_claim_work``). Task names, arguments (files, connectors) and counts: no patient data.
On SQLite there is no queue (tasks run in the process that asks for them): the page says so."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ptrcm.domain.access import Permission as P
from ptrcm.domain.access import Principal
from ptrcm.errors import ConfigError
from ptrcm.interfaces.job_queue import is_postgres, list_jobs, retry
from ptrcm.web import pages
from ptrcm.web.auth import requires
from ptrcm.web.deps import web_settings

router = APIRouter(include_in_schema=False)
SHOWN = 200


@router.get("/jobs", response_class=HTMLResponse, dependencies=[requires(P.read_queues)])
def jobs_page(request: Request) -> HTMLResponse:
    who: Principal = request.state.principal
    url = web_settings(request).database_url
    queue = is_postgres(url)
    rows, counts = list_jobs(url, org=who.org_slug, limit=SHOWN) if queue else ([], {})
    context = {"title": "Background jobs", "queue": queue, "jobs": rows, "counts": counts,
               "shown": SHOWN, "can_retry": who.can(P.do_claim_work)}  # fmt: skip
    return pages.render(request, "jobs.html", "jobs", context)


@router.post("/jobs/{job_id}/retry", dependencies=[requires(P.do_claim_work)])
def retry_job(request: Request, job_id: int) -> RedirectResponse:
    who: Principal = request.state.principal
    url = web_settings(request).database_url
    if not is_postgres(url):
        raise HTTPException(404, "no job queue on SQLite")
    try:
        retry(url, job_id, org=who.org_slug)
    except ConfigError:
        raise HTTPException(404, f"no failed job {job_id} in this organization") from None
    return RedirectResponse("/jobs", status_code=303)
