"""torch.device, spelled as torch spells it. CPU tensors hold NumPy arrays."""

__all__ = ['device']


class device:
    __slots__ = ('type', 'index')

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, int):
            type, index = 'cuda', type
        elif ':' in type:
            type, idx = type.split(':', 1)
            index = int(idx)
        if type not in ('cpu', 'cuda', 'mps', 'meta'):
            raise RuntimeError(f"Expected one of cpu, cuda, mps, meta device type at start of device string: {type}")
        self.type, self.index = type, index

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __repr__(self):
        return f"device(type='{self.type}'" + (f", index={self.index})" if self.index is not None else ")")

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


CPU = device('cpu')


def check_device(d):
    """Resolve a device argument; ember runs on the CPU until the GPU backend lands."""
    if d is None:
        return CPU
    d = d if isinstance(d, device) else device(d)
    if d.type == 'cuda':   # torch's CPU build raises AssertionError here too
        raise AssertionError("Torch not compiled with CUDA enabled: ember has no CUDA backend on this machine "
                             "(ember.cuda.is_available() is False)")
    if d.type != 'cpu':
        raise RuntimeError(f"ember has no '{d.type}' device: tensors live on the CPU")
    return CPU
