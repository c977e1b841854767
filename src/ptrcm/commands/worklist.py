"""`ptrcm worklist`: see ``ptrcm.commands.front_desk``."""

from ptrcm.commands.front_desk import worklist as app

__all__ = ["app"]
