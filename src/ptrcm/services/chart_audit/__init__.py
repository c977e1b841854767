"""Chart audits (issue 15): sample episodes, score their records against the criteria
catalog, store the results with the catalog version, re-audit after correction, and build
the per-therapist feedback and the KPIs (docs/chart-audit.md)."""
