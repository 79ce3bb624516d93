"""Stub: re-exports the no-op rank_zero_only."""
from . import rank_zero_only  # noqa: F401
