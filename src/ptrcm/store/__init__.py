"""The database adapter: tables, migrations, unit of work and org-scoped repositories.

SQLite (the embedded default) and PostgreSQL run the same migrations. Services reach the
store only through ``ptrcm.store.repository.UnitOfWork`` and the repositories it hands out.
"""
