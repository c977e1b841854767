"""A probe task for the queue tests, loaded by ``ptrcm worker --import``: each run appends
a start line and a done line (token, worker process, job id) to ``folder/runs.log``."""

from __future__ import annotations

import os
import time
from pathlib import Path

from procrastinate import Blueprint, JobContext

tasks = Blueprint()


def _line(folder: str, text: str) -> None:
    with open(Path(folder) / "runs.log", "a", encoding="ascii") as log:  # O_APPEND: one write
        log.write(text + "\n")


@tasks.task(name="probe.mark", queue="probe", pass_context=True)
def mark(context: JobContext, folder: str, token: str, seconds: float = 0.0) -> None:
    _line(folder, f"start {token} {os.getpid()} {context.job.id}")
    time.sleep(seconds)
    _line(folder, f"done {token} {os.getpid()} {context.job.id}")
