"""Claims out: charges from a visit, the claim made once, scrubbing, the 837 batch, acknowledgments.

``lifecycle`` is the entry point (build, scrub, release, submit); ``building`` makes a claim from a
visit and the payer policy; ``charging`` and ``charge_summary`` turn minutes into lines;
``scrubbing`` checks the stored lines; ``output`` writes the 837; ``acks`` reads 999/277CA;
``secondary`` bills the next payer after an 835. Imports point inward (domain, rules, x12).
"""
