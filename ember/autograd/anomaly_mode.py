"""Anomaly detection: with it on, a backward formula that returns NaN raises at the node that made it.

The engine reads `_anomaly[0]` once per node (a one-item list, so the test is one index and no call);
everything else happens here, off the normal path. torch also records each forward call's traceback
while anomaly mode is on and prints it with the error; ember records none, and says so in the warning
as torch does for nodes made outside anomaly mode."""
import warnings
from ..backend import xp_of

__all__ = ['detect_anomaly', 'set_detect_anomaly', 'is_anomaly_enabled', 'is_anomaly_check_nan_enabled',
           'set_anomaly_enabled']

_anomaly = [False]       # read by the engine for every node
_check_nan = [True]


def is_anomaly_enabled():
    """Returns True if anomaly detection is currently enabled."""
    return _anomaly[0]


def is_anomaly_check_nan_enabled():
    """Returns True if anomaly detection checks backward outputs for NaN."""
    return _check_nan[0]


def set_anomaly_enabled(mode, check_nan=True):
    """Turns anomaly detection on or off (torch.set_anomaly_enabled)."""
    _anomaly[0] = bool(mode)
    _check_nan[0] = bool(check_nan)


def check_node_outputs(node, in_grads):
    """Raise torch's error if a node's backward returned NaN in any of its gradients."""
    if not _check_nan[0]:
        return
    for i, g in enumerate(in_grads):
        if g is None:
            continue
        a = getattr(g, '_data', g)   # a Tensor under create_graph, else a raw array
        if a.dtype.kind in 'fc' and bool(xp_of(a).isnan(a).any()):
            name = node.name()
            warnings.warn(f"Error detected in {name}. No forward pass information available. Enable detect "
                          "anomaly during forward pass for more information.", stacklevel=3)
            raise RuntimeError(f"Function '{name}' returned nan values in its {i}th output.")


class detect_anomaly:
    r"""Context-manager that enable anomaly detection for the autograd engine.

    This does two things:

    - Running the forward pass with detection enabled will allow the backward pass to print the traceback
      of the forward operation that created the failing backward function (ember does not record forward
      tracebacks; the warning says no forward pass information is available).
    - If ``check_nan`` is ``True``, any backward computation that generate "nan" value will raise an error.
      Default ``True``.

    .. warning::
        This mode should be enabled only for debugging as the different tests will slow down your program
        execution.
    """

    def __init__(self, check_nan=True):
        self.prev = is_anomaly_enabled()
        self.check_nan = check_nan
        self.prev_check_nan = is_anomaly_check_nan_enabled()
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only "
                      "be enabled for debugging.", stacklevel=2)

    def __enter__(self):
        set_anomaly_enabled(True, self.check_nan)

    def __exit__(self, *args):
        set_anomaly_enabled(self.prev, self.prev_check_nan)


class set_detect_anomaly:
    r"""Context-manager that sets the anomaly detection for the autograd engine on or off.

    ``set_detect_anomaly`` will enable or disable the autograd anomaly detection based on its argument
    :attr:`mode`. It can be used as a context-manager or as a function.

    Args:
        mode (bool): Flag whether to enable anomaly detection (``True``), or disable (``False``).
        check_nan (bool): Flag whether to raise an error when the backward generate "nan"
    """

    def __init__(self, mode, check_nan=True):
        self.prev = is_anomaly_enabled()
        self.prev_check_nan = is_anomaly_check_nan_enabled()
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *args):
        set_anomaly_enabled(self.prev, self.prev_check_nan)
