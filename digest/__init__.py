"""digest: turn a network's member feeds into an email newsletter."""

__version__ = "0.1.0"
