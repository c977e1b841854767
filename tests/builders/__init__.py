"""The one place tests build visits, claims and remittances, written the way a biller reads
them: ``visits`` (visit records and ``Visit`` values, one base visit changed one field at a
time), ``claims`` (claims as ptrcm makes them, adjudications, the 837 writer's settings) and
``remits`` (835 files from their parts, 999 and 277CA acknowledgments)."""
