"""torch.nn.parallel. DataParallel on a machine without CUDA devices runs its module directly (as torch
does when no GPU is visible); DistributedDataParallel needs a process group, which ember does not have."""
from .modules.module import Module

__all__ = ['DataParallel', 'DistributedDataParallel', 'data_parallel']


class DataParallel(Module):
    """Implements data parallelism at the module level. Without CUDA devices (always, in ember) it calls
    `module` on the whole input; its state_dict keys carry the `module.` prefix, as torch's do."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = module
        self.device_ids = []
        # torch keeps these only when it found GPUs
        if device_ids:
            raise RuntimeError("DataParallel: device_ids name CUDA devices, and ember has none")

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


def data_parallel(module, inputs, device_ids=None, output_device=None, dim=0, module_kwargs=None):
    """Evaluates module(input) (in parallel over device_ids in torch; here on the CPU)."""
    if not isinstance(inputs, tuple):
        inputs = (inputs,)
    return module(*inputs, **(module_kwargs or {}))


class DistributedDataParallel(Module):
    """Distributed data parallelism: needs an initialised process group, which ember does not provide."""

    def __init__(self, module, *args, **kwargs):
        super().__init__()
        raise ValueError("Default process group has not been initialized, please make sure to call "
                         "init_process_group.")
