"""torch.distributions (being written)."""
