"""In-memory fakes of the services' ports (fakes, not mocks: they keep state and follow
the same rules as the SQL implementations, so a service runs on them unchanged)."""
