"""Clearinghouse connectivity (issue 14): services own the logic, transports are ports."""
