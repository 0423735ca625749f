"""Grad mode: whether ops record the graph. Thread- and task-local, as in torch."""
import contextvars
import functools

_enabled = contextvars.ContextVar('ember_grad_enabled', default=True)
is_grad_enabled = _enabled.get
_inference = contextvars.ContextVar('ember_inference_mode', default=False)


def is_inference_mode_enabled():
    return _inference.get()


class _Mode:
    """Base for the grad-mode context managers; each also works as a decorator."""
    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kw):
            with self.__class__(*self._args):
                return fn(*args, **kw)
        return wrapper

    _args = ()
    _value = True

    def __enter__(self):
        self._token = _enabled.set(self._value)
        return self

    def __exit__(self, *exc):
        _enabled.reset(self._token)
        return False

    def clone(self):
        return self.__class__(*self._args)


class no_grad(_Mode):
    """Context manager (and decorator) that turns graph recording off."""
    _value = False

    def __init__(self, orig_func=None):
        if orig_func is not None and callable(orig_func):  # used as @no_grad without parentheses
            self._wrapped = self(orig_func)

    def __new__(cls, orig_func=None):
        self = super().__new__(cls)
        if orig_func is not None and callable(orig_func):
            return _Mode.__call__(self, orig_func)
        return self


class enable_grad(_Mode):
    """Context manager (and decorator) that turns graph recording on."""
    _value = True


class set_grad_enabled(_Mode):
    """Sets grad mode on or off; takes effect at once when called, and as a context manager."""
    def __init__(self, mode):
        self._args = (mode,)
        self._value = bool(mode)
        self._prev = _enabled.get()
        _enabled.set(self._value)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _enabled.set(self._prev)
        return False

    def __call__(self, fn):
        _enabled.set(self._prev)  # used as a decorator: don't change the mode now

        @functools.wraps(fn)
        def wrapper(*args, **kw):
            prev = _enabled.get()
            _enabled.set(self._value)
            try:
                return fn(*args, **kw)
            finally:
                _enabled.set(prev)
        return wrapper


class inference_mode(_Mode):
    """Like no_grad (ember has no separate inference tensors); inference_mode(False) re-enables grad."""
    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode):
            self._args, self._value = (True,), False
            return _Mode.__call__(self, mode)
        return self

    def __init__(self, mode=True):
        if callable(mode):
            return
        self._args = (mode,)
        self._value = not mode

    def __enter__(self):
        self._itoken = _inference.set(not self._value)
        return super().__enter__()

    def __exit__(self, *exc):
        _inference.reset(self._itoken)
        return super().__exit__(*exc)
