"""The background jobs page: a biller sees the organization's jobs and counts by status
(never another organization's), and puts a failed job back in the queue; a front-desk
member may not open it. On SQLite the page says there is no queue."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from ptrcm.domain.access import Role
from ptrcm.interfaces.job_queue import list_jobs, make_app
from ptrcm.store import db
from ptrcm.store.repository import Store
from ptrcm.web.app import create_app
from ptrcm.web.deps import WebSettings
from tests.web_access import FAST, add_member, csrf, sign_in


def _app(url: str) -> TestClient:
    app = create_app(WebSettings(url, "Clinic", lambda: date(2026, 3, 2), passwords=FAST))
    add_member(app, "bea", Role.biller)
    add_member(app, "fred", Role.front_desk)
    client = TestClient(app)
    sign_in(client, "bea")
    return client


@pytest.mark.postgres
def test_a_biller_sees_the_organizations_jobs_and_retries_a_failed_one(queue_db: str) -> None:
    store = Store.open(queue_db)
    store.create_organization("other", "Other clinic")
    store.close()
    client = _app(queue_db)
    app = make_app(queue_db)
    with app.open():
        mine = app.tasks["ptrcm.post_remittance"].batch_defer(
            {"org": "default", "path": "in/a.835", "outbox": "out"},
            {"org": "default", "path": "in/b.835", "outbox": "out"},
        )
        app.tasks["ptrcm.scrub_claims"].defer(org="other")
    engine = db.create_engine_for(queue_db)
    with engine.begin() as conn:  # as a worker leaves a job that failed on its last attempt
        conn.execute(text("UPDATE procrastinate_jobs SET status = 'failed', attempts = 4"
                          " WHERE id = :id"), {"id": mine[1]})  # fmt: skip
    engine.dispose()
    page = client.get("/jobs")
    assert page.status_code == 200
    assert f'data-job="{mine[0]}" data-status="todo"' in page.text
    assert f'data-job="{mine[1]}" data-status="failed"' in page.text
    assert "path=in/b.835" in page.text and "scrub_claims" not in page.text  # not other's
    assert '<div class="tile" data-status="failed"><div class="tile-label">Failed</div>' \
           '<div class="tile-value">1</div>' in page.text  # fmt: skip
    (other,), _ = list_jobs(queue_db, org="other")
    other_job = other.id
    token = csrf(client)
    assert client.post(f"/jobs/{other_job}/retry", data={"csrf_token": token},
                       follow_redirects=False).status_code == 404  # fmt: skip
    done = client.post(f"/jobs/{mine[1]}/retry", data={"csrf_token": token},
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == "/jobs"
    rows, counts = list_jobs(queue_db, org="default")
    assert {r.id: r.status for r in rows} == {mine[0]: "todo", mine[1]: "todo"}
    assert counts["failed"] == 0 and counts["todo"] == 2 and counts["retried"] == 1
    only, same = list_jobs(queue_db, org="default", status="todo", limit=1)
    assert [r.id for r in only] == [mine[1]] and same == counts  # newest first; counts of all
    fred = TestClient(client.app)
    sign_in(fred, "fred")
    assert fred.get("/jobs", follow_redirects=False).status_code == 403


def test_on_sqlite_the_page_says_there_is_no_queue(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ptrcm.db'}"
    engine = db.create_engine_for(url)
    db.upgrade(engine)
    engine.dispose()
    page = _app(url).get("/jobs")
    assert page.status_code == 200 and "there is no job queue" in page.text


@pytest.mark.postgres
def test_one_organizations_postings_share_a_lock_and_a_connector_polls_once_at_a_time(
    queue_db: str,
) -> None:
    from procrastinate.exceptions import AlreadyEnqueued

    from ptrcm.interfaces.job_queue import defer

    for org, path in (("a", "1.835"), ("a", "2.835"), ("b", "3.835")):
        defer(queue_db, None, "post_remittance", org=org, path=path, outbox="out")
    defer(queue_db, None, "clearinghouse_poll", org="a", connector="ACME")
    with pytest.raises(AlreadyEnqueued):  # one poll waiting is enough
        defer(queue_db, None, "clearinghouse_poll", org="a", connector="ACME")
    engine = db.create_engine_for(queue_db)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT task_name, lock, queueing_lock FROM procrastinate_jobs"
                                 " ORDER BY id")).all()  # fmt: skip
    engine.dispose()
    assert [tuple(r) for r in rows] == [
        ("ptrcm.post_remittance", "posting:a", None),
        ("ptrcm.post_remittance", "posting:a", None),
        ("ptrcm.post_remittance", "posting:b", None),
        ("ptrcm.clearinghouse_poll", "posting:a", "poll:a:ACME"),
    ]
