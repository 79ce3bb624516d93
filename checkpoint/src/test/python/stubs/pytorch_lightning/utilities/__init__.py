"""Stub: rank_zero_only is a logging decorator; here a no-op."""


def rank_zero_only(fn):
    return fn
