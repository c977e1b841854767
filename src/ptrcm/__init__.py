"""ptrcm: revenue-cycle platform for outpatient rehab therapy (PT, OT, SLP)."""

__version__ = "0.1.0"
