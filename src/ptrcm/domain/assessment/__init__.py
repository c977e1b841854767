"""The structured diagnostic of a practice's remittances (`ptrcm assess`), as pure values.

``records``: what one answered claim and one billed claim are, read from 835s and 837s by
the service layer (``services.assessment``); ``classify``: which scrubber rule would have
prevented a denial, and the four classes a denial falls in; ``figures``: every figure of
the report, computed from the records alone. Definitions are in docs/assess.md.
"""
