"""`ptrcm assess`: read a practice's 835s (and optionally its 837s) from folders, compute the
diagnostic (``domain.assessment``) and write it as JSON, HTML and PDF. No database.

``reading``: files to records, re-sent payments dropped by business identity;
``report``: the JSON form; ``html`` and ``pdf``: the rendered report.
"""
