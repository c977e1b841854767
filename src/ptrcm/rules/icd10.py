"""ICD-10-CM lookups for the scrubber over the simple-icd-10-cm code set.

Pack parameters read: none (the code set is not payer policy).

``Icd10Codes`` implements the engine's ``DiagnosisCodes`` protocol. Codes are accepted with
or without the dot (``M54.16`` and ``M5416``), in any case and with surrounding blanks; a
dot anywhere but after the third character is refused rather than guessed at. Only real
codes count: the library also knows chapters ("13") and blocks ("M50-M54"), which are not
codes a claim can carry.

The library is imported on first use (it parses its tables for about a second, so nothing
heavy happens at import time) and its ``DeprecationWarning`` from a legacy
``importlib.resources`` call is silenced there. Each distinct code is looked up once and
cached: a scrub of 200,000 visits repeats the same few hundred codes. The code set is the
version the installed library ships (a fiscal year; CMS updates it every 1 October).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cache
from types import ModuleType

EXTERNAL_CAUSE_LETTERS = frozenset("VWXY")  # V00–Y99, ICD-10-CM chapter 20


@cache
def _library() -> ModuleType:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm

    module: ModuleType = simple_icd_10_cm
    return module


@cache
def normalize_code(code: str) -> str | None:
    """The code without its dot, upper case; None when it cannot be an ICD-10-CM code.

    An ICD-10-CM code is a letter, two more characters, and up to four after an optional
    dot that sits after the third character.
    """
    text = code.strip().upper()
    head, dot, tail = text.partition(".")
    if dot and (len(head) != 3 or not tail or "." in tail):
        return None
    bare = head + tail
    if not (3 <= len(bare) <= 7 and bare[0].isalpha() and bare.isalnum()):
        return None
    return bare


def with_dot(code: str) -> str:
    """The conventional spelling with the dot (``M5416`` -> ``M54.16``), for messages."""
    bare = normalize_code(code)
    if bare is None:
        return code.strip()
    return bare if len(bare) == 3 else f"{bare[:3]}.{bare[3:]}"


def is_external_cause(code: str) -> bool:
    """True for external-cause codes V00–Y99 (chapter 20): never a first-listed diagnosis."""
    bare = normalize_code(code)
    return bare is not None and bare[0] in EXTERNAL_CAUSE_LETTERS


@dataclass(frozen=True, slots=True)
class CodeFacts:
    """What the scrubber needs about one code, looked up once."""

    exists: bool
    billable: bool
    chapter: str | None  # ICD-10-CM chapter number as the library names it ("13")
    description: str | None


@cache
def code_facts(code: str) -> CodeFacts:
    """Facts about ``code`` (any accepted spelling); cached per spelling."""
    bare = normalize_code(code)
    if bare is None:
        return CodeFacts(False, False, None, None)
    cm = _library()
    if not cm.is_valid_item(bare):
        return CodeFacts(False, False, None, None)
    ancestors = cm.get_ancestors(bare)
    chapter = str(ancestors[-1]) if ancestors else None
    return CodeFacts(
        exists=True,
        billable=bool(cm.is_leaf(bare)),
        chapter=chapter,
        description=str(cm.get_description(bare)),
    )


class Icd10Codes:
    """The ``DiagnosisCodes`` adapter: ICD-10-CM validity and billability (leaf codes)."""

    def exists(self, code: str) -> bool:
        """True when ``code`` is a category, subcategory or full code of ICD-10-CM."""
        return code_facts(code).exists

    def is_billable(self, code: str) -> bool:
        """True when ``code`` is coded to the highest specificity: a leaf of the tabular list.

        A category with subcategories (``M54.1``) exists but is not billable.
        """
        return code_facts(code).billable

    def chapter(self, code: str) -> str | None:
        """The chapter number ("13" musculoskeletal, "19" injury, ...) or None if unknown."""
        return code_facts(code).chapter

    def description(self, code: str) -> str | None:
        return code_facts(code).description
