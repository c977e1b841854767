"""`ptrcm schedule`: see ``ptrcm.commands.front_desk``."""

from ptrcm.commands.front_desk import schedule as app

__all__ = ["app"]
