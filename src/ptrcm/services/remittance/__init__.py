"""Money in: one 835 posting flow a reader follows top to bottom.

``posting`` (read the file, check identity, post each claim) -> ``claim_posting`` (one CLP: match
lines, adjudicate, ledger entries) -> ``lines`` (835 line to our stored claim line);
``identity`` decides what is a duplicate; ``batch`` groups flushes; ``underpayments`` compares
paid with expected; ``appeals`` works denials and links recoveries from later 835s. All of it
reads and writes through the money-in unit of work (``services.money_in_ports``).
"""
