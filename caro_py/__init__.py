"""caro-py: a terminal assistant that turns plain words into one shell command."""

__version__ = "0.1.0"
