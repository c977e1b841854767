"""X12 5010: tokenizer, writers and readers (837P/837I, 835, 999, 277CA, 270/271, 276).

Reading errors: ``X12Error`` (a ``PtrcmError``) when a file cannot be read at all;
``Finding`` values for defects inside a readable file. See ``ptrcm.x12.errors``.
"""

from ptrcm.x12.errors import Finding, X12Error

__all__ = ["Finding", "X12Error"]
