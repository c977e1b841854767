"""The database adapter: tables, migrations, unit of work and org-scoped repositories.

SQLite (the embedded default) and PostgreSQL run the same migrations. The store implements
the ports of ``ptrcm.services.ports`` without importing any service module; the composition
root and the edges hand a ``ptrcm.store.repository.UnitOfWork`` to the services; its commit
also refreshes the claim facts of what was written (docs/architecture.md).
"""
