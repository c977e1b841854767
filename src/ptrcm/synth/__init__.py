"""The synthetic clinic: master data, schedules, documented visits, injected defects.

``iter_visit_records`` yields visit records lazily (for benchmarks); ``write_synth`` writes
a whole run with its ground truth (``ptrcm synth visits``).
"""

from ptrcm.synth.generator import SynthOptions, iter_patient_outputs, iter_visit_records
from ptrcm.synth.writer import SynthSummary, companion_paths, write_synth

__all__ = [
    "SynthOptions",
    "SynthSummary",
    "companion_paths",
    "iter_patient_outputs",
    "iter_visit_records",
    "write_synth",
]
