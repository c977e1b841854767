"""Systemic-denial events: scan a day's counts with the detectors, record new events with
their escalation (owner, due time), and notify by email and webhook (docs/alerts.md)."""
