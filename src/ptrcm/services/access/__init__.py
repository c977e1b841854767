"""People and permissions: users and their passwords, memberships in organizations, sign-in
with throttling and lockout, server-side sessions, API tokens, and the audit trail of who
read or changed what (ARCHITECTURE §8; docs/security.md). Reached through one port,
``ports.AccessUnitOfWork``; the roles and the permission matrix are ``ptrcm.domain.access``."""
