"""The one composition root: settings, reference data and (later) store, wired in one place.

Nothing heavy is built at import time; ``build_context`` is called by the CLI and the web
app once per process.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ptrcm.config import Config, load_config
from ptrcm.domain.codes import Catalog, load_catalog

DEFAULT_DB_URL = "sqlite:///ptrcm.db"


def database_url(explicit: str | None = None) -> str:
    """``--db`` first, then ``PTRCM_DATABASE_URL``, then the SQLite file in the cwd."""
    return explicit or os.environ.get("PTRCM_DATABASE_URL") or DEFAULT_DB_URL


@dataclass(frozen=True, slots=True)
class Context:
    config: Config
    catalog: Catalog


def build_context(config_path: str | None = None) -> Context:
    return Context(config=load_config(config_path), catalog=load_catalog())
