"""`ptrcm estimate`: see ``ptrcm.commands.front_desk``."""

from ptrcm.commands.front_desk import estimate as app

__all__ = ["app"]
