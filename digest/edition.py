"""The draft of an edition now lives in the digest.draft package; this name is kept for callers."""

from digest.draft import *  # noqa: F403
from digest.draft import __all__  # noqa: F401
