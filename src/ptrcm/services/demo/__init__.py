"""The demo clinic: synthetic visits run through the real flow (import, build, scrub, submit,
payer answers, posting), with a progress display per phase. ``run`` is the entry point."""
