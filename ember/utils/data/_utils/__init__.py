"""Helpers behind ember.utils.data: collation, fetching, worker processes."""
from . import collate, fetch, worker  # noqa: F401

MP_STATUS_CHECK_INTERVAL = 5.0
"""Interval (in seconds) at which a worker checks that its parent is alive while waiting for work."""
