"""Leerlus: the command line, the outermost layer that builds the app and calls it."""

__version__ = "0.1.0"
