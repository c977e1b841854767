"""CLI command groups, one module each; ``ptrcm.cli`` registers them."""
