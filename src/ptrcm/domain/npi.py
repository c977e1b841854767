"""National Provider Identifier check digit (CMS NPI standard, ISO/IEC 7812 Luhn).

An NPI is ten digits: nine identifier digits and a Luhn check digit computed as if the
number carried the card-issuer prefix ``80840`` (the prefix adds a constant 24 to the
Luhn sum). Pure functions; the scrubber's C004 and the synthetic clinic share them.
"""

from __future__ import annotations

NPI_PREFIX = "80840"


def _luhn_sum(digits: str) -> int:
    """Luhn sum of ``digits`` as if a check digit followed them (doubling from the right)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total


def npi_check_digit(base9: str) -> str:
    """The check digit of the nine identifier digits ``base9``."""
    if len(base9) != 9 or not base9.isdigit():
        raise ValueError("an NPI base must be nine digits")
    return str((10 - _luhn_sum(NPI_PREFIX + base9) % 10) % 10)


def make_npi(base9: str | int) -> str:
    """A valid ten-digit NPI from nine identifier digits (the first must be 1 or 2)."""
    base = f"{base9:09d}" if isinstance(base9, int) else base9
    if len(base) != 9 or not base.isdigit() or base[0] not in "12":
        raise ValueError("an NPI base must be nine digits starting with 1 or 2")
    return base + npi_check_digit(base)


def npi_is_valid(npi: str) -> bool:
    """True when ``npi`` is ten digits starting with 1 or 2 whose check digit is right."""
    if len(npi) != 10 or not npi.isdigit() or npi[0] not in "12":
        return False
    return npi_check_digit(npi[:9]) == npi[9]
