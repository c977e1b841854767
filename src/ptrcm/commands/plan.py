"""`ptrcm plan`: see ``ptrcm.commands.front_desk``."""

from ptrcm.commands.front_desk import plan as app

__all__ = ["app"]
