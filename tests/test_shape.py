"""Movement ops against torch: values, dtypes, gradients (incl. non-contiguous inputs and double
backward), view semantics (shared memory, shared version counter, in-place through views), errors."""
import numpy as np
import pytest
import torch
import ember
from hypothesis import given, settings, strategies as st, HealthCheck
from helpers import check, check_error, assert_same


# --- one-input ops: (name, fn, shape) ---------------------------------------------------------------------
UNARY = [
    ('view', lambda L, x: x.view(3, 4), (2, 6)),
    ('view_-1', lambda L, x: x.view(-1, 2), (2, 6)),
    ('view_tuple', lambda L, x: x.view((4, 3)), (12,)),
    ('view_as', lambda L, x: x.view_as(L.zeros(6, 2)), (3, 4)),
    ('reshape', lambda L, x: L.reshape(x, (4, -1)), (2, 6)),
    ('reshape_method', lambda L, x: x.reshape(2, 2, 3), (3, 4)),
    ('reshape_as', lambda L, x: x.reshape_as(L.zeros(4, 3)), (3, 4)),
    ('permute', lambda L, x: x.permute(2, 0, 1), (2, 3, 2)),
    ('permute_tuple', lambda L, x: L.permute(x, (1, -1, 0)), (2, 3, 2)),
    ('transpose', lambda L, x: x.transpose(0, -1), (2, 3, 2)),
    ('swapaxes', lambda L, x: L.swapaxes(x, 0, 1), (3, 4)),
    ('swapdims', lambda L, x: x.swapdims(1, 0), (3, 4)),
    ('t', lambda L, x: x.t(), (3, 4)),
    ('t_1d', lambda L, x: L.t(x), (5,)),
    ('T', lambda L, x: x.T, (3, 4)),
    ('mT', lambda L, x: x.mT, (2, 3, 2)),
    ('mH', lambda L, x: x.mH, (2, 3, 2)),
    ('adjoint', lambda L, x: L.adjoint(x), (3, 4)),
    ('squeeze_all', lambda L, x: x.squeeze(), (1, 3, 1, 4)),
    ('squeeze_dim', lambda L, x: L.squeeze(x, 2), (1, 3, 1, 4)),
    ('squeeze_tuple', lambda L, x: L.squeeze(x, (0, 1, -2)), (1, 3, 1, 4)),
    ('unsqueeze', lambda L, x: x.unsqueeze(1), (3, 4)),
    ('unsqueeze_neg', lambda L, x: L.unsqueeze(x, -1), (3, 4)),
    ('flatten', lambda L, x: x.flatten(), (2, 3, 2)),
    ('flatten_range', lambda L, x: L.flatten(x, 1, 2), (2, 3, 2)),
    ('flatten_same', lambda L, x: L.flatten(x, 1, 1) * 2, (2, 3, 2)),
    ('unflatten', lambda L, x: x.unflatten(1, (2, -1)), (2, 6)),
    ('ravel', lambda L, x: L.ravel(x), (3, 4)),
    ('expand', lambda L, x: x.expand(2, 3, 4), (3, 1)),
    ('expand_-1', lambda L, x: x.expand(2, -1, 4), (3, 1)),
    ('expand_as', lambda L, x: x.expand_as(L.zeros(2, 3, 4)), (1, 4)),
    ('broadcast_to', lambda L, x: L.broadcast_to(x, (2, 3, 4)), (3, 1)),
    ('repeat', lambda L, x: x.repeat(2, 1, 3), (2, 2)),
    ('tile', lambda L, x: L.tile(x, (2,)), (2, 3)),
    ('tile_more', lambda L, x: x.tile((2, 1, 2)), (2, 3)),
    ('repeat_interleave', lambda L, x: L.repeat_interleave(x, 2), (2, 3)),
    ('repeat_interleave_dim', lambda L, x: x.repeat_interleave(3, dim=1), (2, 3)),
    ('repeat_interleave_t', lambda L, x: L.repeat_interleave(x, L.tensor([1, 0, 3]), dim=1), (2, 3)),
    ('repeat_interleave_size', lambda L, x: x.repeat_interleave(L.tensor([2, 1]), 0, output_size=3), (2, 3)),
    ('contiguous', lambda L, x: x.t().contiguous(), (3, 4)),
    ('clone', lambda L, x: L.clone(x) * 1, (3, 4)),
    ('narrow', lambda L, x: x.narrow(1, 1, 2), (3, 4)),
    ('narrow_neg', lambda L, x: L.narrow(x, 0, -2, 2), (3, 4)),
    ('select', lambda L, x: x.select(1, 2), (3, 4)),
    ('select_neg', lambda L, x: L.select(x, 0, -1), (3, 4)),
    ('flip', lambda L, x: L.flip(x, (0, 2)), (2, 3, 2)),
    ('flip_method', lambda L, x: x.flip(1), (3, 4)),
    ('fliplr', lambda L, x: L.fliplr(x), (3, 4)),
    ('flipud', lambda L, x: x.flipud(), (3, 4)),
    ('roll', lambda L, x: L.roll(x, 1, 0), (3, 4)),
    ('roll_multi', lambda L, x: x.roll((1, -3), (1, 0)), (3, 4)),
    ('roll_flat', lambda L, x: L.roll(x, 5), (3, 4)),
    ('rot90', lambda L, x: L.rot90(x), (3, 4)),
    ('rot90_k2', lambda L, x: x.rot90(2, (1, 0)), (3, 4)),
    ('rot90_k3', lambda L, x: L.rot90(x, -1, (0, 1)), (3, 4)),
    ('rot90_k0', lambda L, x: L.rot90(x, 4), (3, 4)),
    ('tril', lambda L, x: L.tril(x), (3, 4)),
    ('tril_k', lambda L, x: x.tril(-1), (2, 3, 3)),
    ('triu', lambda L, x: L.triu(x, diagonal=1), (3, 4)),
    ('diagonal', lambda L, x: L.diagonal(x), (3, 4)),
    ('diagonal_off', lambda L, x: x.diagonal(1), (3, 4)),
    ('diagonal_neg', lambda L, x: L.diagonal(x, -1, 0, 2), (3, 2, 2)),
    ('diagonal_dims', lambda L, x: x.diagonal(offset=1, dim1=2, dim2=0), (3, 2, 2)),
    ('diagonal_far', lambda L, x: L.diagonal(x, 5), (3, 4)),
    ('diag_1d', lambda L, x: L.diag(x), (3,)),
    ('diag_1d_off', lambda L, x: L.diag(x, -2), (3,)),
    ('diag_2d', lambda L, x: x.diag(1), (3, 4)),
    ('diag_embed', lambda L, x: L.diag_embed(x), (2, 3)),
    ('diag_embed_dims', lambda L, x: L.diag_embed(x, 1, 0, 2), (2, 3)),
    ('diag_embed_neg', lambda L, x: x.diag_embed(-1, -1, 0), (2, 2)),
    ('diagflat', lambda L, x: L.diagflat(x), (2, 2)),
    ('diagflat_off', lambda L, x: L.diagflat(x, 1), (3,)),
    ('movedim', lambda L, x: L.movedim(x, 0, -1), (2, 3, 2)),
    ('movedim_multi', lambda L, x: x.movedim((0, 1), (2, 0)), (2, 3, 2)),
    ('moveaxis', lambda L, x: L.moveaxis(x, -1, 0), (2, 3, 2)),
    ('split_int', lambda L, x: L.split(x, 2, 1), (3, 5)),
    ('split_list', lambda L, x: x.split([1, 3, 1], dim=1), (3, 5)),
    ('tensor_split_n', lambda L, x: L.tensor_split(x, 3, 1), (2, 5)),
    ('tensor_split_idx', lambda L, x: x.tensor_split([1, 4], dim=1), (2, 5)),
    ('tensor_split_t', lambda L, x: L.tensor_split(x, L.tensor([1, -1, 10])), (5, 2)),
    ('chunk', lambda L, x: L.chunk(x, 3, 1), (2, 5)),
    ('chunk_fewer', lambda L, x: x.chunk(4), (6, 2)),
    ('unbind', lambda L, x: L.unbind(x, 1), (2, 3)),
    ('unbind_method', lambda L, x: x.unbind(), (3, 2)),
    ('iter', lambda L, x: list(x), (3, 2)),
    ('atleast_1d', lambda L, x: L.atleast_1d(x), (3,)),
    ('atleast_2d', lambda L, x: L.atleast_2d(x), (3,)),
    ('atleast_3d_1', lambda L, x: L.atleast_3d(x), (3,)),
    ('atleast_3d_2', lambda L, x: L.atleast_3d(x), (2, 3)),
    ('atleast_3d_3', lambda L, x: L.atleast_3d(x), (2, 3, 1)),
]
GRADGRAD = {'view', 'permute', 'expand', 'repeat', 'repeat_interleave_t', 'narrow', 'select', 'flip', 'roll',
            'tril', 'diagonal_neg', 'diag_embed_dims', 'split_list', 'unbind', 'movedim', 'squeeze_tuple',
            'diagonal', 'rot90'}


@pytest.mark.parametrize('name,fn,shape', UNARY, ids=[u[0] for u in UNARY])
def test_unary(name, fn, shape):
    check(fn, shape, gradgrad=name in GRADGRAD)


@pytest.mark.parametrize('name,fn,shape', UNARY, ids=[u[0] for u in UNARY])
def test_unary_noncontig(name, fn, shape):
    make = lambda L: fn(L, L.from_numpy(np.asfortranarray(np.ones(shape, 'float32'))))
    try:
        make(torch)
    except RuntimeError:    # view of a layout that cannot be viewed so: ember must refuse as torch does
        check_error(make, RuntimeError, 'view size is not compatible')
        return
    check(fn, shape, noncontig=True)


@pytest.mark.parametrize('name,fn,shape', UNARY, ids=[u[0] for u in UNARY])
def test_unary_int(name, fn, shape):
    x = np.arange(int(np.prod(shape)), dtype='int64').reshape(shape)
    check(fn, x, grad=False)


@pytest.mark.parametrize('fn,shape', [
    (lambda L, x: x.view(()), (1,)), (lambda L, x: x.view(-1), ()), (lambda L, x: x.reshape(1, 1), ()),
    (lambda L, x: x.flatten(), ()), (lambda L, x: x.squeeze(), ()), (lambda L, x: x.squeeze(0), ()),
    (lambda L, x: x.unsqueeze(0), ()), (lambda L, x: x.unsqueeze(-1), ()), (lambda L, x: x.expand(2, 3), ()),
    (lambda L, x: x.repeat(2), ()), (lambda L, x: x.t(), ()), (lambda L, x: x.T, ()), (lambda L, x: x.permute(()), ()),
    (lambda L, x: L.atleast_2d(x), ()), (lambda L, x: L.atleast_3d(x), ()), (lambda L, x: x.flip(()), ()),
    (lambda L, x: L.repeat_interleave(x, 3), ()), (lambda L, x: L.diag_embed(x), (1,)),
    (lambda L, x: L.tile(x, (2, 2)), ()), (lambda L, x: L.roll(x, 1), ()), (lambda L, x: L.ravel(x), ()),
    (lambda L, x: L.clone(x) * 1, ()), (lambda L, x: x.movedim(0, -1), ()), (lambda L, x: x.select(-1, 0), (1,)),
], ids=lambda v: '' if callable(v) else str(v))
def test_zero_dim(fn, shape):
    check(fn, shape)


@pytest.mark.parametrize('fn,shape', [
    (lambda L, x: x.view(0, 3), (3, 0)), (lambda L, x: x.reshape(-1, 3), (0, 3)), (lambda L, x: x.view(-1), (0, 3)),
    (lambda L, x: x.t(), (0, 3)), (lambda L, x: x.expand(2, 0, 3), (1, 3)), (lambda L, x: x.repeat(2, 0), (2, 3)),
    (lambda L, x: L.flatten(x, 0, 1), (2, 0, 3)), (lambda L, x: x.narrow(0, 1, 0), (3, 2)),
    (lambda L, x: L.split(x, 2), (0, 3)), (lambda L, x: L.chunk(x, 2), (0, 3)), (lambda L, x: L.unbind(x, 1), (2, 0)),
    (lambda L, x: x.diagonal(), (0, 3)), (lambda L, x: L.diag_embed(x), (2, 0)), (lambda L, x: L.tril(x), (0, 2)),
    (lambda L, x: x.flip(0), (0, 2)), (lambda L, x: L.roll(x, 1, 0), (0, 2)), (lambda L, x: x.squeeze(), (0, 1)),
    (lambda L, x: L.cat([x, x], 1), (0, 2)), (lambda L, x: L.stack([x, x], 2), (0, 2)),
    (lambda L, x: L.repeat_interleave(x, 2, 0), (0, 2)), (lambda L, x: L.tensor_split(x, 3), (0, 2)),
])
def test_empty(fn, shape):
    check(fn, shape, gradcheck=False)


# --- several inputs ------------------------------------------------------------------------------------------
MULTI = [
    ('cat', lambda L, a, b: L.cat([a, b]), [(2, 3), (1, 3)]),
    ('cat_dim', lambda L, a, b: L.cat((a, b), dim=-1), [(2, 3), (2, 1)]),
    ('cat_three', lambda L, a, b, c: L.cat([a, b, c], 1), [(2, 1), (2, 2), (2, 3)]),
    ('concat', lambda L, a, b: L.concat([a, b], 0), [(2, 3), (1, 3)]),
    ('concatenate', lambda L, a, b: L.concatenate([a, b], axis=1), [(2, 3), (2, 1)]),
    ('stack', lambda L, a, b: L.stack([a, b]), [(2, 3), (2, 3)]),
    ('stack_dim', lambda L, a, b: L.stack((a, b), dim=-1), [(2, 3), (2, 3)]),
    ('stack_mid', lambda L, a, b, c: L.stack([a, b, c], 1), [(2, 2), (2, 2), (2, 2)]),
    ('hstack', lambda L, a, b: L.hstack([a, b]), [(2, 3), (2, 1)]),
    ('hstack_1d', lambda L, a, b: L.hstack([a, b]), [(2,), (3,)]),
    ('vstack', lambda L, a, b: L.vstack([a, b]), [(3,), (2, 3)]),
    ('row_stack', lambda L, a, b: L.row_stack((a, b)), [(3,), (3,)]),
    ('dstack', lambda L, a, b: L.dstack([a, b]), [(2, 3), (2, 3, 2)]),
    ('dstack_1d', lambda L, a, b: L.dstack([a, b]), [(3,), (3,)]),
    ('column_stack', lambda L, a, b, c: L.column_stack([a, b, c]), [(3,), (3, 2), (3,)]),
    ('broadcast_tensors', lambda L, a, b, c: L.broadcast_tensors(a, b, c), [(3, 1), (1, 2), ()]),
    ('meshgrid_ij', lambda L, a, b, c: L.meshgrid(a, b, c, indexing='ij'), [(2,), (3,), ()]),
    ('meshgrid_xy', lambda L, a, b, c: L.meshgrid([a, b, c], indexing='xy'), [(2,), (3,), (2,)]),
    ('expand_add', lambda L, a, b: a.expand(2, 3, 2) * b, [(3, 1), (2, 3, 2)]),
    ('atleast_many', lambda L, a, b: L.atleast_2d(a, b), [(), (3,)]),
    ('atleast_list', lambda L, a, b: L.atleast_3d([a, b]), [(2,), (2, 3)]),
]


@pytest.mark.parametrize('name,fn,shapes', MULTI, ids=[m[0] for m in MULTI])
def test_multi(name, fn, shapes):
    check(fn, *shapes, gradgrad=name in ('cat_three', 'stack_mid', 'meshgrid_xy'))
    check(fn, *shapes, noncontig=True, gradcheck=False)


def test_cat_promotion_and_empty():
    i = np.arange(6, dtype='int32').reshape(2, 3)
    check(lambda L, a, b: L.cat([a, b]), i, (1, 3))
    check(lambda L, a, b: L.cat([a, b], 1), i.astype('int64'), i.astype('uint8'), grad=False)
    check(lambda L, a, b: L.cat([a, b]), i.astype(bool), i.astype('int16'), grad=False)
    check(lambda L, a, b: L.stack([a, b]), i, (2, 3), dtype='float64')
    # 1-D empty tensors are skipped whatever the other shapes are
    check(lambda L, a, b, c: L.cat([a, b, c], 1), (2, 3), (0,), (2, 2))
    check(lambda L, a, b: L.cat([a, b]), (0,), (0,))
    check(lambda L, a: L.cat([a, L.tensor([])]), (2, 3))


def test_repeat_interleave_indices():
    check(lambda L: L.repeat_interleave(L.tensor([2, 0, 3])), grad=False)
    check(lambda L: L.tensor([[1, 2], [3, 4]]).repeat_interleave(L.tensor(2), dim=0), grad=False)


def test_broadcast_shapes():
    for shapes in [((2, 1), (3,)), (5, (1, 5)), ((), (2, 3)), ((0, 1), (3,)), ((1,), (4, 1, 1), 4)]:
        assert tuple(ember.broadcast_shapes(*shapes)) == tuple(torch.broadcast_shapes(*shapes))
        assert isinstance(ember.broadcast_shapes(*shapes), ember.Size)
    check_error(lambda L: L.broadcast_shapes((2, 3), (4,)), RuntimeError, 'broadcast')


def test_meshgrid_default_warns():
    with pytest.warns(UserWarning):
        ember.meshgrid(ember.arange(2), ember.arange(3))


def test_clone_and_contiguous_layout():
    a = np.asfortranarray(np.ones((2, 3), 'float32'))
    for lib in (torch, ember):
        x = lib.from_numpy(a).t()   # a C-contiguous transpose of a Fortran base
        y = lib.from_numpy(a)
        assert y.clone().is_contiguous() is False      # preserve_format keeps a dense layout
        assert y.clone(memory_format=lib.contiguous_format).is_contiguous()
        assert y.contiguous().is_contiguous()
        assert x.contiguous() is x
    x = ember.ones(2, 3)
    assert x.contiguous() is x and x.clone() is not x


def _ver(t):
    # both libraries report the version counter as an int
    return t._version if isinstance(t, torch.Tensor) else t._version


# --- view semantics --------------------------------------------------------------------------------------
VIEWS = [
    ('view', lambda x: x.view(3, 2)),
    ('reshape', lambda x: x.reshape(6)),
    ('t', lambda x: x.t()),
    ('transpose', lambda x: x.transpose(1, 0)),
    ('permute', lambda x: x.permute(1, 0)),
    ('unsqueeze', lambda x: x.unsqueeze(1)),
    ('squeeze', lambda x: x.unsqueeze(0).squeeze(0)),
    ('narrow', lambda x: x.narrow(1, 1, 2)),
    ('select', lambda x: x.select(1, 1)),
    ('diagonal', lambda x: x.diagonal()),
    ('diagonal_off', lambda x: x.diagonal(1)),
    ('split', lambda x: x.split(2, 1)[1]),
    ('chunk', lambda x: x.chunk(2, 0)[0]),
    ('unbind', lambda x: x.unbind(1)[2]),
    ('tensor_split', lambda x: x.tensor_split([1], 1)[1]),
    ('flatten', lambda x: x.flatten()),
    ('unflatten', lambda x: x.unflatten(1, (3, 1))),
    ('movedim', lambda x: x.movedim(0, 1)),
    ('mT', lambda x: x.mT),
    ('chain', lambda x: x.t().narrow(0, 1, 2).select(1, 0)),
    ('chain2', lambda x: x.view(3, 2).t().diagonal()),
    ('atleast_3d', lambda x: ember.atleast_3d(x) if isinstance(x, ember.Tensor) else torch.atleast_3d(x)),
]


MULTI_OUTPUT = {'split': lambda x: x.narrow(1, 2, 1), 'chunk': lambda x: x.narrow(0, 0, 1),
                'unbind': lambda x: x.select(1, 2)}


@pytest.mark.parametrize('name,vfn', VIEWS, ids=[v[0] for v in VIEWS])
def test_view_shares_memory_and_version(name, vfn):
    for lib in (torch, ember):
        x = lib.arange(6.).reshape(2, 3)
        v = vfn(x)
        v0 = _ver(x)
        v.mul_(10)
        assert _ver(x) == _ver(v) == v0 + 1
        x.add_(1)
        assert _ver(v) == _ver(x)
    x_t, x_e = torch.arange(6.).reshape(2, 3), ember.arange(6.).reshape(2, 3)
    vt, ve = vfn(x_t), vfn(x_e)
    vt.add_(5)
    ve.add_(5)
    assert_same(x_t, x_e)
    x_t.mul_(2)
    x_e.mul_(2)
    assert_same(vt, ve)


@pytest.mark.parametrize('name,vfn', [v for v in VIEWS if v[0] not in MULTI_OUTPUT],
                         ids=[v[0] for v in VIEWS if v[0] not in MULTI_OUTPUT])
@pytest.mark.parametrize('noncontig', [False, True])
def test_inplace_through_view_grads(name, vfn, noncontig):
    """y = x * 1; v = view(y); v.mul_(w); y feeds a loss: values and grads of x and w as torch."""
    def fn(L, x, w):
        y = x * 1
        v = vfn(y)
        v.mul_(w.expand(v.shape) if v.ndim else w.sum())
        v.add_(x.sum())
        return y * y, v
    a = np.arange(1, 7, dtype='float64').reshape(2, 3) / 3   # float64: arrays reach gradcheck as they are
    a = np.asfortranarray(a) if noncontig else a
    w = np.array([1.5])
    try:
        fn(torch, torch.from_numpy(a.copy(order='K')), torch.from_numpy(w))
    except RuntimeError:   # a view that this layout cannot give: ember must refuse it too
        check_error(lambda L: fn(L, L.from_numpy(a.copy(order='K')), L.from_numpy(w)), RuntimeError,
                    'view size is not compatible')
        return
    check(fn, a, w, gradgrad=not noncontig)


@pytest.mark.parametrize('name', sorted(MULTI_OUTPUT))
def test_inplace_through_multi_output_view(name):
    """torch refuses in-place changes of one of several views made by one op when autograd records;
    ember allows them and gives what the same change through a single view (narrow/select) gives."""
    vfn = dict(VIEWS)[name]
    with pytest.raises(RuntimeError, match='multiple views'):
        x = torch.ones(2, 3, requires_grad=True)
        vfn(x * 1).mul_(2)

    def fn(L, x, w):
        y = x * 1
        (vfn if L is ember else MULTI_OUTPUT[name])(y).mul_(w)
        return y * y
    check(fn, (2, 3), (1,))


def test_inplace_view_of_base_without_grad():
    """An in-place write into a view of a tensor that needs no grad gives the base a history."""
    def fn(L, w):
        base = L.zeros(2, 3, dtype=w.dtype)
        base.diagonal().copy_(w * 2)
        base.narrow(1, 2, 1).add_(w.sum())
        return base.exp()
    check(fn, (2,))


def test_view_of_leaf_inplace_errors():
    def fn(L):
        x = L.ones(2, 3, requires_grad=True)
        x.view(6).add_(1)
    check_error(fn, RuntimeError, 'view of a leaf Variable')


def test_saved_tensor_modified_through_view():
    def fn(L):
        x = L.ones(2, 3, requires_grad=True)
        y = x * 2
        z = y.exp()     # saves its output
        z.t().add_(1)
        z.sum().backward()
    check_error(fn, RuntimeError, 'modified by an inplace operation')


def test_results_that_copy_are_not_views():
    for name, f in [('flip', lambda x: x.flip(0)), ('roll', lambda x: x.roll(1)), ('tril', lambda x: x.tril()),
                    ('repeat', lambda x: x.repeat(1, 1)), ('clone', lambda x: x.clone()),
                    ('cat', lambda x: ember.cat([x])), ('stack', lambda x: ember.stack([x])),
                    ('reshape_nc', lambda x: x.t().reshape(6)), ('diag', lambda x: ember.diag(x)),
                    ('rot90', lambda x: x.rot90()), ('tile', lambda x: x.tile((1,)))]:
        x = ember.arange(6.).reshape(2, 3)
        y = f(x)
        y.add_(1)
        assert _ver(x) == 0, name
        np.testing.assert_array_equal(x.numpy(), np.arange(6.).reshape(2, 3), err_msg=name)


def test_expand_inplace_error():
    check_error(lambda L: L.zeros(3, 1).expand(3, 4).add_(1), RuntimeError, 'single memory location')


def test_inplace_view_ops():
    for lib in (torch, ember):
        x = lib.arange(6.).reshape(2, 3)
        assert x.t_() is x and tuple(x.shape) == (3, 2)
        x.unsqueeze_(0).squeeze_()
        x.transpose_(0, 1)
        assert tuple(x.shape) == (2, 3)
    check(lambda L, x: (x * 1).t_().unsqueeze_(1).squeeze_(1).swapdims_(0, 1) * 2, (2, 3))
    check(lambda L, x: (x * 1).tril_(-1).triu_(-1), (3, 3))
    check_error(lambda L: L.ones(2, 3, requires_grad=True).t_(), RuntimeError, 'leaf Variable')


def test_iter_and_len():
    x = ember.arange(6).reshape(3, 2)
    rows = list(x)
    assert len(rows) == 3 and all(r.shape == (2,) for r in rows)
    rows[1].fill_(-1)
    assert x.tolist() == [[0, 1], [-1, -1], [4, 5]]


def test_grad_fn_names():
    for f in [lambda x: x.view(6), lambda x: x.t(), lambda x: x.expand(2, 2, 3), lambda x: x.narrow(0, 0, 1),
              lambda x: x.select(0, 1), lambda x: x.diagonal(), lambda x: x.flip(0), lambda x: x.clone(),
              lambda x: x.repeat(1, 2), lambda x: x.split(1)[0], lambda x: x.unbind()[0], lambda x: x.tril(),
              lambda x: x.t().reshape(6)]:
        t = f(torch.ones(2, 3, requires_grad=True)).grad_fn.name()
        e = f(ember.ones(2, 3, requires_grad=True)).grad_fn.name()
        assert e == t


def test_cat_stack_grad_fn_names():
    a, b = ember.ones(2, requires_grad=True), ember.ones(2, requires_grad=True)
    assert ember.cat([a, b]).grad_fn.name() == 'CatBackward0'
    assert ember.stack([a, b]).grad_fn.name() == 'StackBackward0'


def test_view_dtype():
    check(lambda L, x: x.view(L.int32), (2, 3), grad=False)
    check(lambda L, x: x.view(dtype=L.float64), np.arange(4, dtype='int64'), grad=False)


@pytest.mark.parametrize('attr,shape', [('T', ()), ('T', (2, 3, 4)), ('mT', ()), ('mH', ()), ('H', ())])
def test_T_deprecations(attr, shape):
    with pytest.warns(UserWarning, match='deprecated'):
        r = getattr(ember.ones(shape), attr)
    assert tuple(r.shape) == tuple(getattr(torch.ones(shape), attr).shape)


def test_H_and_reshape_keyword():
    check(lambda L, x: x.H, (3, 4))
    check(lambda L, x: L.reshape(x, shape=(2, 6)), (3, 4))
    check_error(lambda L: L.ones(2, 3, 4).H, RuntimeError, 'tensor.H is only supported on matrices')


# --- errors ------------------------------------------------------------------------------------------------
ERRORS = [
    (lambda L: L.zeros(2, 3).view(4, -1), RuntimeError, 'invalid for input of size 6'),
    (lambda L: L.zeros(2, 3).view(-1, -1), RuntimeError, 'only one dimension can be inferred'),
    (lambda L: L.zeros(2, 3).view(-2, 3), RuntimeError, 'invalid shape dimension -2'),
    (lambda L: L.zeros(2, 3).t().view(6), RuntimeError, "view size is not compatible with input tensor's size"),
    (lambda L: L.zeros(0, 3).view(-1, 0), RuntimeError, 'ambiguous'),
    (lambda L: L.zeros(2, 3).reshape(5), RuntimeError, 'reshape'),
    (lambda L: L.zeros(2, 3).permute(0), RuntimeError, 'permute'),
    (lambda L: L.zeros(2, 3).permute(0, 0), RuntimeError, 'duplicate dims'),
    (lambda L: L.zeros(2, 3).permute(0, 2), IndexError, 'Dimension out of range'),
    (lambda L: L.zeros(2, 3).transpose(0, 2), IndexError, 'Dimension out of range'),
    (lambda L: L.zeros(2, 3).expand(3, 3), RuntimeError, 'must match the existing size'),
    (lambda L: L.zeros(2, 3).expand(3), RuntimeError, 'number of sizes provided'),
    (lambda L: L.zeros(2, 3).expand(-1, 2, 3), RuntimeError, 'expand'),
    (lambda L: L.zeros(2, 3, 4).t(), RuntimeError, 't\\(\\) expects a tensor with <= 2 dimensions'),
    (lambda L: L.zeros(3).mT, RuntimeError, 'mT'),
    (lambda L: L.zeros(3).adjoint(), RuntimeError, 'adjoint'),
    (lambda L: L.zeros(2, 3).squeeze(2), IndexError, 'Dimension out of range'),
    (lambda L: L.zeros(2, 3).unsqueeze(3), IndexError, 'Dimension out of range'),
    (lambda L: L.zeros(2, 3).flatten(1, 0), RuntimeError, 'start_dim cannot come after end_dim'),
    (lambda L: L.zeros(3).unflatten(0, (2, 2)), RuntimeError, "don't multiply up"),
    (lambda L: L.zeros(3, 4).repeat(2), RuntimeError, 'Number of dimensions of repeat dims'),
    (lambda L: L.zeros(3).repeat_interleave(L.tensor([1, 2])), RuntimeError, 'repeats must have the same size'),
    (lambda L: L.zeros(3).repeat_interleave(-1), RuntimeError, 'negative'),
    (lambda L: L.cat([]), ValueError, 'non-empty'),
    (lambda L: L.cat([L.zeros(()), L.zeros(())]), RuntimeError, 'zero-dimensional'),
    (lambda L: L.cat([L.zeros(2, 3), L.zeros(2, 2)]), RuntimeError, 'Sizes of tensors must match'),
    (lambda L: L.cat([L.zeros(2, 3), L.zeros(3)]), RuntimeError, 'same number of dimensions'),
    (lambda L: L.cat([L.zeros(2, 3)], 2), IndexError, 'Dimension out of range'),
    (lambda L: L.cat(L.zeros(2, 3)), TypeError, 'tuple of Tensors'),
    (lambda L: L.stack([]), RuntimeError, 'non-empty'),
    (lambda L: L.stack([L.zeros(2), L.zeros(3)]), RuntimeError, 'stack expects each tensor to be equal size'),
    (lambda L: L.zeros(3).split([1, 1]), RuntimeError, 'split_with_sizes expects split_sizes to sum exactly'),
    (lambda L: L.zeros(3).chunk(0), RuntimeError, 'chunk expects `chunks` to be greater than 0'),
    (lambda L: L.zeros(3).narrow(0, 2, 2), RuntimeError, 'exceeds dimension size'),
    (lambda L: L.zeros(3, 4).select(0, 5), IndexError, 'out of range'),
    (lambda L: L.zeros(()).unbind(), IndexError, 'unbind'),
    (lambda L: L.zeros(3).tril(), RuntimeError, 'tril: input tensor must have at least 2 dimensions'),
    (lambda L: L.zeros(3).triu(), RuntimeError, 'triu: input tensor must have at least 2 dimensions'),
    (lambda L: L.zeros(3).fliplr(), RuntimeError, 'Input must be >= 2-d'),
    (lambda L: L.zeros(3, 4).flip((0, 0)), RuntimeError, 'flip'),
    (lambda L: L.zeros(3).rot90(), RuntimeError, 'expected total dims >= 2'),
    (lambda L: L.zeros(3, 4).rot90(1, (0, 0)), RuntimeError, 'expected rotation dims to be different'),
    (lambda L: L.zeros(3, 4).roll((1, 2), 0), RuntimeError, 'shifts and dimensions must align'),
    (lambda L: L.zeros(3, 4).diagonal(0, 1, 1), RuntimeError, 'diagonal dimensions cannot be identical'),
    (lambda L: L.zeros(2, 2, 2).diag(), RuntimeError, 'diag'),
    (lambda L: L.broadcast_tensors(L.zeros(2, 3), L.zeros(4)), RuntimeError, 'The size of tensor a'),
    (lambda L: L.meshgrid(L.zeros(2, 2), indexing='ij'), RuntimeError, 'meshgrid'),
    (lambda L: L.meshgrid(L.zeros(2), indexing='yx'), RuntimeError, 'indexing'),
    (lambda L: L.zeros(2, 3).reshape(2, 'a'), TypeError, 'reshape'),
]


@pytest.mark.parametrize('fn,exc,match', ERRORS)
def test_errors(fn, exc, match):
    check_error(fn, exc, match)


# --- property tests against torch ------------------------------------------------------------------------
_shape = st.lists(st.integers(1, 3), min_size=0, max_size=4).map(tuple)
_SETTINGS = dict(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def _broadcastable(draw):
    """A shape and a target it broadcasts to (some 1s grown, some leading dims added)."""
    shape = draw(_shape)
    target = tuple(draw(st.integers(1, 3)) if s == 1 else s for s in shape)
    lead = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    return shape, lead + target


@given(_broadcastable(), st.booleans())
@settings(**_SETTINGS)
def test_property_expand_broadcast_to(shapes, use_minus_one):
    shape, target = shapes
    size = list(target)
    if use_minus_one:   # -1 keeps an existing (non-leading) size
        lead = len(target) - len(shape)
        size = [-1 if i >= lead and s == shape[i - lead] else s for i, s in enumerate(target)]
    check(lambda L, x: x.expand(size) * 1, shape, gradcheck=False)
    check(lambda L, x: L.broadcast_to(x, target) * 1, shape, gradcheck=False)
    other = np.ones(target, 'float32')
    check(lambda L, x, y: L.broadcast_tensors(x, y)[0] * y, shape, other, gradcheck=False)


@given(st.lists(st.integers(1, 3), min_size=1, max_size=4), st.data())
@settings(**_SETTINGS)
def test_property_reshape_permute(dims, data):
    shape = tuple(dims)
    n = int(np.prod(shape))
    perm = data.draw(st.permutations(range(len(shape))))
    # a random factorisation of n, one entry possibly -1
    new, rest = [], n
    while rest > 1:
        f = data.draw(st.sampled_from([d for d in range(1, rest + 1) if rest % d == 0]))
        new.append(f)
        rest //= f
    new = data.draw(st.permutations(new)) if new else [1]
    if data.draw(st.booleans()):
        new[data.draw(st.integers(0, len(new) - 1))] = -1
    noncontig = data.draw(st.booleans())

    def fn(L, x):
        p = x.permute(*perm)
        return p.reshape(new), p.contiguous().view(new), x.reshape(new).permute(*range(len(new))[::-1])
    check(fn, shape, gradcheck=False, noncontig=noncontig)
    # view succeeds or fails exactly when torch's does
    tx, ex = torch.zeros(shape).permute(*perm), ember.zeros(shape).permute(*perm)
    try:
        tv = tx.view(new)
    except RuntimeError:
        with pytest.raises(RuntimeError, match='view size is not compatible'):
            ex.view(new)
    else:
        ev = ex.view(new)
        assert tuple(ev.shape) == tuple(tv.shape)
        # the stride of a size-1 dim is arbitrary (NumPy and torch pick differently)
        assert [s for s, n in zip(ev.stride(), ev.shape) if n > 1] == \
            [s for s, n in zip(tv.stride(), tv.shape) if n > 1]


@given(st.lists(st.integers(0, 3), min_size=1, max_size=3), st.data())
@settings(**_SETTINGS)
def test_property_split_cat_roundtrip(dims, data):
    shape = tuple(dims)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    size = data.draw(st.integers(1, 4))
    check(lambda L, x: L.cat(L.split(x, size, dim), dim) * 2, shape, gradcheck=False)
    check(lambda L, x: L.tensor_split(x, size, dim), shape, gradcheck=False)
