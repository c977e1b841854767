"""The one organization (tenant) a running app shows, looked up in its store.

The slug is fixed when the app is built (``ptrcm serve --org``), never taken from a request.
The id is looked up until the organization exists, so a server started on an empty database
shows the data as soon as ``ptrcm demo`` or ``ptrcm import`` creates it.
"""

from __future__ import annotations

from ptrcm.store.repository import Store

NO_ORGANIZATION = 0  # no row has id 0: an organization not created yet reads as empty


class Organization:
    def __init__(self, store: Store, slug: str, known_id: int | None = None) -> None:
        self.store, self.slug = store, slug
        self._id = known_id

    def id(self) -> int:
        if self._id is None:
            self._id = self.store.organization_id(self.slug)
        return NO_ORGANIZATION if self._id is None else self._id
