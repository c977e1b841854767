"""An organization (tenant) the providers read for, by id.

The id comes from the request's principal (its session or API token), never from the
request itself. A slug is looked up once when only the slug is known (tests, tools).
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
