"""Systemic-denial events: a spike of one denial reason at one payer, a payer that stops
answering, a sudden fall of a payer's first-pass rate (``detect``), from daily counts."""
