"""Compact Office: a desktop client for interstate-compact offices."""

__version__ = "0.1.0"
