"""torch.random: seeding and the state of the default CPU generator (the samplers are in ember.ops.random)."""
from .ops.random import (Generator, default_generator, manual_seed, seed, initial_seed, get_rng_state,  # noqa: F401
                         set_rng_state, fork_rng)

__all__ = ['set_rng_state', 'get_rng_state', 'manual_seed', 'seed', 'initial_seed', 'fork_rng']
