"""Appointment vocabulary shared by the appointment import and the store's tables."""

from __future__ import annotations

#: What became of an appointment: still ahead, kept (a visit), or missed in one of three ways.
APPOINTMENT_STATUSES = ("scheduled", "kept", "no_show", "late_cancel", "cancelled")
