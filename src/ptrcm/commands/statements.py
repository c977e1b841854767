"""`ptrcm statements`: see ``ptrcm.commands.front_desk``."""

from ptrcm.commands.front_desk import statements as app

__all__ = ["app"]
