"""The differentiable stand-in for `xp` that backward formulas get under create_graph=True.

Backward formulas call a small NumPy-named vocabulary (xp.sum(g, axis=...), xp.exp, xp.where,
xp.reshape, ...). Under plain backward that is the array library itself; here each name is an
ember op, so the same formula records a graph. Each ops module registers the names it provides
with `@register`. docs/design.md lists the vocabulary.
"""


class GraphXP:
    """Namespace of NumPy-named functions over Tensors."""
    name = 'graph'

    def __getattr__(self, name):
        raise AttributeError(f"backward formula used xp.{name}, which has no differentiable version in "
                             f"ember.autograd.graph_xp (register one with @graph_xp.register)")


xp = GraphXP()


def register(name=None):
    def deco(fn):
        setattr(GraphXP, name or fn.__name__, staticmethod(fn))
        return fn
    return deco
