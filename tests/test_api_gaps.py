"""Storages, legacy tensor methods, torch.* odds and ends, special polynomials, LDL, fractional max pool:
each against torch on the same inputs."""
import warnings
import numpy as np
import pytest
import torch
import ember
from helpers import check, check_error, assert_same, to_np

warnings.filterwarnings('ignore', message='TypedStorage is deprecated')


# --- storages ---------------------------------------------------------------------------------------
@pytest.mark.parametrize('lib', [torch, ember])
def test_untyped_storage_surface(lib):
    t = lib.arange(6.).reshape(2, 3)
    s = t.untyped_storage()
    assert isinstance(s, lib.UntypedStorage)
    assert (s.nbytes(), s.size(), len(s), s.element_size()) == (24, 24, 24, 1)
    assert s.data_ptr() == t.data_ptr() == t[1].untyped_storage().data_ptr() == t.t().untyped_storage().data_ptr()
    assert t[1].data_ptr() - t.data_ptr() == 12
    assert s.tolist()[4:8] == [0, 0, 128, 63] and s[7] == 63
    assert str(s.device) == 'cpu' and s.cpu() is s and not s.is_cuda
    assert repr(s).endswith("[torch.storage.UntypedStorage(device=cpu) of size 24]")
    s.fill_(0)
    assert t.sum().item() == 0
    assert s.clone().data_ptr() != s.data_ptr()


@pytest.mark.parametrize('lib', [torch, ember])
def test_typed_storage_surface(lib):
    t = lib.arange(6.).reshape(2, 3)
    ts = t.storage()
    assert isinstance(ts, lib.TypedStorage) and isinstance(ts, lib.FloatStorage)
    assert not isinstance(ts, lib.DoubleStorage)
    assert ts.dtype == lib.float32 and (ts.size(), len(ts), ts.element_size(), ts.nbytes()) == (6, 6, 4, 24)
    assert ts[1] == 1.0 and ts.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0] and ts.type() == 'torch.FloatStorage'
    assert ts.data_ptr() == t.data_ptr()
    assert repr(ts) == repr(torch.arange(6.).storage()).replace('torch.storage', 'torch.storage')
    ts[0] = 9.
    assert t[0, 0].item() == 9.
    ts.copy_(lib.FloatStorage([1, 2, 3, 4, 5, 6]))
    assert t.tolist() == [[1., 2., 3.], [4., 5., 6.]]
    with pytest.raises(RuntimeError, match='slices are only supported'):
        ts[1:3]
    fs = lib.FloatStorage(3)
    assert type(fs) is lib.TypedStorage and fs.size() == 3 and fs.dtype == lib.float32
    assert lib.LongStorage([1, 2]).tolist() == [1, 2] and lib.BoolStorage(2).dtype == lib.bool
    assert lib.TypedStorage(3, dtype=lib.float64).dtype == lib.float64
    assert t.storage_type() is lib.FloatStorage
    assert ts.double().dtype == lib.float64 and ts.double().tolist() == ts.tolist()


def test_storage_from_numpy_shares_memory():
    n = np.arange(4.)
    for lib in (torch, ember):
        f = lib.from_numpy(n)
        assert f.untyped_storage().data_ptr() == n.ctypes.data and f.untyped_storage().nbytes() == 32
    assert ember.empty(0).untyped_storage().nbytes() == 0


@pytest.mark.parametrize('lib', [torch, ember])
def test_set_and_is_set_to(lib):
    t = lib.arange(6.).reshape(2, 3)
    assert t.is_set_to(t) and not t.is_set_to(t.view(6)) and not t.is_set_to(t[0]) and not t.is_set_to(t.clone())
    a, b = lib.zeros(3), lib.arange(4.)
    assert a.set_(b) is a and a.is_set_to(b) and a.data_ptr() == b.data_ptr()
    b[0] = 5
    assert a.tolist() == [5., 1., 2., 3.]
    assert lib.zeros(3).set_().shape == (0,)
    c = lib.zeros(3).set_(b.untyped_storage())
    assert c.tolist() == [5., 1., 2., 3.]
    d = lib.zeros(3).set_(b.untyped_storage(), 1, (2,), (1,))
    assert d.tolist() == [1., 2.]
    with pytest.raises(RuntimeError, match='Could not set tensor of type long int to a tensor of type float'):
        lib.zeros(3).set_(lib.zeros(2, dtype=lib.int64))
    with pytest.raises(RuntimeError, match='leaf Variable that requires grad'):
        lib.zeros(3, requires_grad=True).set_(lib.zeros(2))


# --- legacy tensor methods -----------------------------------------------------------------------------
def test_new():
    for lib in (torch, ember):
        t = lib.arange(6.).reshape(2, 3)
        assert t.new(2, 3).shape == (2, 3) and t.new(2, 3).dtype == lib.float32
        assert_same(torch.tensor([1., 2.]), ember.tensor([1., 2.])) if lib is ember else None
        assert t.new([1, 2]).tolist() == [1., 2.] and t.new([1, 2]).dtype == lib.float32
        assert t.new().shape == (0,) and t.new(lib.Size([2])).shape == (2,) and t.new((2, 3)).tolist() == [2., 3.]
        assert lib.tensor([1, 2]).new([1.5]).tolist() == [1]
        with pytest.raises(TypeError, match='data must be a sequence'):
            t.new(2.5)
        with pytest.raises(TypeError):
            t.new(lib.tensor([1, 2]))


def test_resize_():
    for lib in (torch, ember):
        x = lib.arange(6.)
        assert x.resize_(2, 2).tolist() == [[0., 1.], [2., 3.]] and x.stride() == (2, 1)
        x = lib.arange(6.)
        assert x.resize_(3, 3)[:2].tolist() == [[0., 1., 2.], [3., 4., 5.]]
        x = lib.arange(6.).reshape(2, 3).t()
        assert x.resize_(4).tolist() == [0., 1., 2., 3.]
        x = lib.arange(6.).reshape(2, 3)[:, 1:]
        assert x.resize_(5).tolist() == [1., 2., 3., 4., 5.]
        assert lib.zeros(3).resize_([2, 2]).shape == (2, 2)
        assert lib.zeros(3).resize_as_(lib.zeros(2, 2, dtype=lib.int64)).dtype == lib.float32
        assert lib.resize_as_(lib.arange(3.), lib.zeros(2)).tolist() == [0., 1.]
        x = lib.arange(6.).reshape(2, 3).t()
        assert x.resize_(3, 2).stride() == (1, 3)
        for t in (lib.zeros(3, requires_grad=True), lib.zeros(3, requires_grad=True) * 2):
            with pytest.raises(RuntimeError, match='cannot resize variables that require grad'):
                t.resize_(2)
        with pytest.raises(RuntimeError, match='cannot resize'):
            lib.zeros(3, requires_grad=True).resize_as_(lib.zeros(2))
        with pytest.warns(UserWarning, match='non-inplace resize is deprecated'):
            with pytest.raises(RuntimeError, match="autograd's resize can only change the shape"):
                lib.arange(3.).resize(2)
        with pytest.warns(UserWarning, match='non-inplace resize is deprecated'):
            assert lib.arange(4.).resize(2, 2).shape == (2, 2)


def test_apply_and_map():
    for lib in (torch, ember):
        assert lib.arange(3.).apply_(lambda v: v * 2).tolist() == [0., 2., 4.]
        assert lib.arange(3).apply_(lambda v: v * 2.7).tolist() == [0, 2, 5]
        assert lib.tensor([True, False]).apply_(lambda v: not v).tolist() == [False, True]
        t = lib.arange(6.).reshape(2, 3)
        assert t.map_(lib.ones(3), lambda a, b: a + b) is t and t.tolist() == [[1., 2., 3.], [4., 5., 6.]]
        assert lib.arange(3.).map2_(lib.ones(3), lib.ones(3), lambda a, b, c: a + b + c).tolist() == [2., 3., 4.]
        with pytest.raises(RuntimeError, match="Can't call apply_"):
            lib.zeros(3, requires_grad=True).apply_(lambda v: v)
        with pytest.raises(TypeError, match="map_: expected torch.FloatTensor for 'other'"):
            lib.arange(3.).map_(lib.ones(3, dtype=lib.int64), lambda a, b: a)
        with pytest.raises(TypeError, match='must be real number, not str'):
            lib.arange(3.).apply_(lambda v: 'a')
        with pytest.raises(RuntimeError):
            lib.arange(3.).map_(lib.ones(2, 3), lambda a, b: a)


# --- torch.* -------------------------------------------------------------------------------------------
@pytest.mark.parametrize('case', [
    ((1, 2, 5, 5), (4, 2, 3, 3), [1, 1], [0, 0], [1, 1], False, [0, 0], 1),
    ((1, 2, 5, 5), (2, 4, 3, 3), [2, 2], [1, 1], [1, 1], True, [1, 1], 1),
    ((2, 4, 7), (4, 2, 3), [2], [1], [2], False, [0], 2),
    ((1, 2, 4, 4, 4), (2, 1, 2, 2, 2), [1], [0], [1], False, [0], 2),
])
def test_convolution(case):
    xs, ws, stride, padding, dilation, transposed, output_padding, groups = case
    check(lambda lib, x, w, b: lib.convolution(x, w, b, stride, padding, dilation, transposed, output_padding, groups),
          xs, ws, (ws[1] * groups if transposed else ws[0],), dtype='float64', atol=1e-9, gradcheck=False)
    check_error(lambda lib: lib.convolution(lib.ones(1, 2, 5, 5), lib.ones(4, 2, 3, 3), None, 1, 0, 1, False, 0, 1),
                TypeError, "argument 'stride'")


def test_constant_pad_and_copies():
    check(lambda lib, x: lib.constant_pad_nd(x, [1, 0, -1, 2], 3.), (2, 3))
    assert_same(torch.constant_pad_nd(torch.ones(2, 3, dtype=torch.int64), [1, 1], 2.5),
                ember.constant_pad_nd(ember.ones(2, 3, dtype=ember.int64), [1, 1], 2.5))
    check_error(lambda lib: lib.constant_pad_nd(lib.ones(2, 3), [1]), RuntimeError, 'must be even')
    check_error(lambda lib: lib.constant_pad_nd(lib.ones(2, 3), [1] * 6), RuntimeError, 'no more than twice')
    check(lambda lib, x: lib.view_copy(x, [3, 2]), (6,))
    check(lambda lib, x: lib.view_copy(x, lib.int32), (6,), grad=False)
    check(lambda lib, x: lib.expand_copy(x, [2, 3]), (3,))
    check(lambda lib, x: lib.slice_copy(x, 0, 1, 5, 2), (6,))
    check(lambda lib, x: lib.slice_copy(x, 1), (2, 3))
    check(lambda lib, x: lib.unfold_copy(x, 0, 2, 2), (6,))
    check(lambda lib, x: lib.alias_copy(x), (3,))
    e = ember.arange(3.)
    assert ember.alias_copy(e).data_ptr() != e.data_ptr()


def test_cond_and_flags():
    for lib in (torch, ember):
        assert lib.cond(lib.tensor(True), lambda x: x + 1, lambda x: x - 1, (lib.ones(2),)).tolist() == [2., 2.]
        assert lib.cond(False, lambda x: x + 1, lambda x: x - 1, [lib.ones(2)]).tolist() == [0., 0.]
        assert lib.cond(True, lambda: lib.ones(1), lambda: lib.zeros(1)).tolist() == [1.]
        with pytest.raises(RuntimeError, match='Expected pred to be bool or single-element tensor'):
            lib.cond(lib.tensor([True, False]), lambda x: x, lambda x: x, (lib.ones(2),))
        assert issubclass(lib.OutOfMemoryError, RuntimeError) and issubclass(lib.AcceleratorError, RuntimeError)
        assert isinstance(lib.contiguous_format, lib.memory_format) and isinstance(lib.strided, lib.layout)
        assert isinstance(lib.channels_last_3d, lib.memory_format) and isinstance(lib.sparse_coo, lib.layout)
        assert repr(lib.channels_last_3d) == 'torch.channels_last_3d' and str(lib.strided) == 'torch.strided'
        assert lib.ones(2).layout == lib.strided and lib.channels_last != lib.contiguous_format
        assert lib.has_lapack is True and lib.has_spectral is True
        assert lib.get_device_module() is lib.cpu and lib.get_device_module('cpu') is lib.cpu
        assert lib.get_device_module(lib.device('cpu')) is lib.cpu and lib.get_device_module('cuda') is lib.cuda
        with pytest.raises(RuntimeError, match='Expected one of cpu'):
            lib.get_device_module('foo')
    x = ember.ones(2, 3)
    assert ember.zeros_like(x, memory_format=ember.contiguous_format).shape == (2, 3)


def test_dropout_functional_forms():
    for name in ('feature_dropout', 'dropout_', 'feature_dropout_', 'alpha_dropout_', 'feature_alpha_dropout_'):
        x = ember.ones(2, 3, 2)
        assert getattr(ember, name)(x, 0.5, False).tolist() == torch.ones(2, 3, 2).tolist()
    ember.manual_seed(0)
    y = ember.feature_dropout(ember.ones(20, 30, 4), 0.5, True)
    per_channel = to_np(y).reshape(600, 4)
    assert set(np.unique(per_channel)) <= {0., 2.} and (per_channel == per_channel[:, :1]).all()
    assert 0.3 < (per_channel[:, 0] == 0).mean() < 0.7
    x = ember.ones(10, 10)
    assert ember.dropout_(x, 0.5, True) is x and set(np.unique(to_np(x))) <= {0., 2.}
    check_error(lambda lib: lib.feature_dropout(lib.ones(3), 0.5, True), RuntimeError, 'at least 2 dimensions')


def test_norm_except_dim():
    for dim in (0, 1, -1):
        check(lambda lib, v: lib.norm_except_dim(v, 2, dim), (2, 3), dtype='float64', atol=1e-9)
    check(lambda lib, v: lib.norm_except_dim(v, 3, 1), (2, 3), dtype='float64', atol=1e-9)
    check(lambda lib, v: lib.norm_except_dim(v), (2, 3, 1), dtype='float64', atol=1e-9)
    check(lambda lib, v: lib.norm_except_dim(v, 2, 2), (2, 3, 1), dtype='float64', atol=1e-9)


def test_empty_permuted_and_nonzero_static():
    for lib in (torch, ember):
        e = lib.empty_permuted((2, 3, 4), (0, 2, 1))
        assert e.shape == (2, 3, 4) and e.stride() == (12, 1, 3) and e.dtype == lib.float32
        assert lib.empty_permuted((2, 3), (0, 1), dtype=lib.int64).dtype == lib.int64
        with pytest.raises(RuntimeError, match='Duplicate dim'):
            lib.empty_permuted((2, 3), (0, 0))
        with pytest.raises(RuntimeError, match='does not match the length of the physical_layout'):
            lib.empty_permuted((2, 3), (0, 1, 2))
    for args in [([[1, 0], [0, 1]], 3, -1), ([[1, 0], [0, 1]], 1, 5), ([1, 0, 2], 4, -7)]:
        data, size, fill = args
        assert_same(torch.nonzero_static(torch.tensor(data), size=size, fill_value=fill),
                    ember.nonzero_static(ember.tensor(data), size=size, fill_value=fill))
    assert_same(torch.tensor([1, 0, 2]).nonzero_static(size=2), ember.tensor([1, 0, 2]).nonzero_static(size=2))
    assert_same(torch.nonzero_static(torch.tensor(3.), size=2), ember.nonzero_static(ember.tensor(3.), size=2))
    check_error(lambda lib: lib.nonzero_static(lib.tensor([1]), size=-1), RuntimeError, 'non-negative')


def test_histogramdd():
    pts = np.array([[0., 1.], [1., 0.], [2., 0.], [2., 2.]], np.float32)
    w = np.array([1., 2., 4., 8.], np.float32)
    for kw in [dict(bins=[3, 3]), dict(bins=2, density=True), dict(bins=[2, 3], range=[0., 1., 0., 1.])]:
        tw = dict(kw, weight=torch.from_numpy(w))
        ew = dict(kw, weight=ember.from_numpy(w))
        r, e = torch.histogramdd(torch.from_numpy(pts), **tw), ember.histogramdd(ember.from_numpy(pts), **ew)
        assert_same(tuple(r.hist.unsqueeze(0)), tuple(e.hist.unsqueeze(0)))
        assert_same(list(r.bin_edges), list(e.bin_edges))
    x = np.random.default_rng(0).random((50, 3))
    r, e = torch.histogramdd(torch.from_numpy(x), bins=4), ember.histogramdd(ember.from_numpy(x), bins=4)
    assert_same(r.hist, e.hist) and assert_same(list(r.bin_edges), list(e.bin_edges))
    edges = [np.array([0., .5, 1.]), np.array([0., 1.])]
    r = torch.histogramdd(torch.from_numpy(x[:, :2]), bins=[torch.from_numpy(b) for b in edges])
    e = ember.histogramdd(ember.from_numpy(x[:, :2]), bins=[ember.from_numpy(b) for b in edges])
    assert_same(r.hist, e.hist)
    check_error(lambda lib: lib.histogramdd(lib.arange(6).reshape(3, 2), bins=3), NotImplementedError, 'Long')


def test_lowrank():
    rng = np.random.default_rng(0)
    a = (rng.standard_normal((20, 3)) @ rng.standard_normal((3, 12)))
    for A in (a, a.T.copy()):
        ember.manual_seed(0)
        U, S, V = ember.svd_lowrank(ember.from_numpy(A), q=5)
        Ut, St, Vt = torch.svd_lowrank(torch.from_numpy(A), q=5)
        np.testing.assert_allclose(to_np(S)[:3], St.numpy()[:3], rtol=1e-8)
        assert U.shape == Ut.shape and V.shape == Vt.shape
        recon = to_np(U) @ np.diag(to_np(S)) @ to_np(V).T
        np.testing.assert_allclose(recon, A, atol=1e-8)
    ember.manual_seed(1)
    U, S, V = ember.pca_lowrank(ember.from_numpy(a), q=3)
    St = torch.pca_lowrank(torch.from_numpy(a), q=3)[1]
    np.testing.assert_allclose(to_np(S), St.numpy(), rtol=1e-8)
    ember.manual_seed(3)
    first = ember.svd_lowrank(ember.from_numpy(a), q=3, niter=0)[0]
    ember.manual_seed(3)
    assert np.array_equal(to_np(first), to_np(ember.svd_lowrank(ember.from_numpy(a), q=3, niter=0)[0]))
    with pytest.raises(ValueError):
        ember.pca_lowrank(ember.from_numpy(a), q=50)
    x = ember.from_numpy(a.copy()).requires_grad_()
    ember.svd_lowrank(x, q=4)[1].sum().backward()
    assert x.grad.shape == x.shape


def test_max_pool1d_with_indices_toplevel():
    check(lambda lib, x: lib.max_pool1d_with_indices(x, 2), (1, 2, 6))


# --- special polynomials ---------------------------------------------------------------------------------
POLYS = ['chebyshev_polynomial_t', 'chebyshev_polynomial_u', 'chebyshev_polynomial_v', 'chebyshev_polynomial_w',
         'shifted_chebyshev_polynomial_t', 'shifted_chebyshev_polynomial_u', 'shifted_chebyshev_polynomial_v',
         'shifted_chebyshev_polynomial_w', 'hermite_polynomial_h', 'hermite_polynomial_he', 'laguerre_polynomial_l',
         'legendre_polynomial_p']


@pytest.mark.parametrize('name', POLYS)
def test_polynomials(name):
    x = np.concatenate([np.linspace(-1.5, 1.5, 31), np.linspace(-0.2, 1.2, 15), [-1., 1., 0., 0.5]])
    for dt, tol in ((np.float32, 2e-4), (np.float64, 1e-10)):
        X = x.astype(dt)
        for n in [-3, -1, 0, 1, 2, 3, 5, 6, 7, 8, 9, 12, 25]:
            r = getattr(torch.special, name)(torch.from_numpy(X), n)
            e = getattr(ember.special, name)(ember.from_numpy(X), n)
            assert not e.requires_grad
            assert_same(r, e, atol=tol, rtol=tol, what=f'{name} n={n}')
    tf, ef = getattr(torch.special, name), getattr(ember.special, name)
    assert_same(tf(torch.tensor([0.3, 0.5, 0.7]), torch.tensor([-0.5, 2.9, 4])),
                ef(ember.tensor([0.3, 0.5, 0.7]), ember.tensor([-0.5, 2.9, 4])))
    assert_same(tf(torch.tensor([1, 2]), torch.tensor([2, 3])), ef(ember.tensor([1, 2]), ember.tensor([2, 3])))
    assert_same(tf(0.25, torch.tensor([2, 3])), ef(0.25, ember.tensor([2, 3])))
    assert_same(tf(torch.tensor([0.5], dtype=torch.float64), 3), ef(ember.tensor([0.5], dtype=ember.float64), 3))
    assert_same(tf(torch.tensor([[0.5], [0.2]]), torch.tensor([1, 2, 3])),
                ef(ember.tensor([[0.5], [0.2]]), ember.tensor([1, 2, 3])))
    check_error(lambda lib: getattr(lib.special, name)(lib.tensor([0.5], dtype=lib.float16), 3),
                NotImplementedError, 'Half')
    check_error(lambda lib: getattr(lib.special, name)(lib.tensor([0.5j]), 3), NotImplementedError, 'Complex')


@pytest.mark.parametrize('name', ['spherical_bessel_j0', 'airy_ai'])
def test_bessel_airy(name):
    x = np.array([0., 1e-4, 0.3, 0.5, 0.51, -3., 20., np.inf, -np.inf, np.nan, 100., -100.])
    for dt in (np.float32, np.float64):
        r = getattr(torch.special, name)(torch.from_numpy(x.astype(dt)))
        e = getattr(ember.special, name)(ember.from_numpy(x.astype(dt)))
        assert_same(r, e, atol=1e-30, rtol=1e-5)
    assert_same(getattr(torch.special, name)(torch.tensor([1, 2])), getattr(ember.special, name)(ember.tensor([1, 2])))
    check_error(lambda lib: getattr(lib.special, name)(lib.tensor([0.5], dtype=lib.float16)), NotImplementedError,
                'Half')


# --- LDL -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize('dtype', [np.float64, np.float32, np.complex128])
@pytest.mark.parametrize('hermitian', [False, True])
def test_ldl(dtype, hermitian):
    rng = np.random.default_rng(1)
    A = rng.standard_normal((2, 5, 5)).astype(dtype)
    if np.iscomplexobj(A):
        A = A + 1j * rng.standard_normal((2, 5, 5))
    A = A + (A.conj() if hermitian else A).transpose(0, 2, 1)
    A[:, 0, 0] = 0   # forces 2x2 pivots
    r = torch.linalg.ldl_factor_ex(torch.from_numpy(A), hermitian=hermitian)
    e = ember.linalg.ldl_factor_ex(ember.from_numpy(A), hermitian=hermitian)
    tol = 1e-4 if dtype == np.float32 else 1e-10
    assert_same(tuple(r), tuple(e), atol=tol, rtol=tol)
    B = rng.standard_normal((2, 5, 3)).astype(A.dtype)
    assert_same(torch.linalg.ldl_solve(r.LD, r.pivots, torch.from_numpy(B), hermitian=hermitian),
                ember.linalg.ldl_solve(e.LD, e.pivots, ember.from_numpy(B), hermitian=hermitian), atol=tol * 10,
                rtol=tol * 10)
    LD, piv = ember.linalg.ldl_factor(ember.from_numpy(A[0]), hermitian=hermitian)
    X = ember.linalg.ldl_solve(LD, piv, ember.from_numpy(B[1:]), hermitian=hermitian)   # broadcast batch
    np.testing.assert_allclose(A[0] @ to_np(X)[0], B[1], atol=tol * 100)


def test_ldl_errors():
    info = ember.linalg.ldl_factor_ex(ember.zeros(2, 2))
    assert_same(tuple(torch.linalg.ldl_factor_ex(torch.zeros(2, 2))), tuple(info))
    check_error(lambda lib: lib.linalg.ldl_factor(lib.zeros(2, 2)), RuntimeError, 'ldl_factor')
    check_error(lambda lib: lib.linalg.ldl_factor(lib.zeros(2, 3)), RuntimeError, 'square matrices')
    check_error(lambda lib: lib.linalg.ldl_factor(lib.zeros(2, 2, dtype=lib.int64)), RuntimeError, 'Long')
    LD, piv = ember.linalg.ldl_factor(ember.eye(2) * 2)
    tLD, tpiv = torch.linalg.ldl_factor(torch.eye(2) * 2)
    check_error(lambda lib: lib.linalg.ldl_solve(*((tLD, tpiv) if lib is torch else (LD, piv)), lib.ones(3, 1)),
                RuntimeError, 'Incompatible matrix sizes')
    check_error(lambda lib: lib.linalg.ldl_solve(*((tLD, tpiv) if lib is torch else (LD, piv)),
                                                 lib.ones(2, 1, dtype=lib.float64)), RuntimeError, 'same dtype')


# --- fractional max pooling, CrossMapLRN2d ---------------------------------------------------------------
@pytest.mark.parametrize('d', [2, 3])
def test_fractional_max_pool_given_samples(d):
    rng = np.random.default_rng(d)
    shape = (2, 3, 7, 9) if d == 2 else (2, 3, 6, 7, 8)
    x = rng.standard_normal(shape)
    u = rng.random((2, 3, d))
    for kw in (dict(kernel_size=2, output_ratio=(0.5,) * d), dict(kernel_size=(2, 3, 2)[:d], output_size=(4, 3, 5)[:d])):
        tf = getattr(torch.nn.functional, f'fractional_max_pool{d}d')
        ef = getattr(ember.nn.functional, f'fractional_max_pool{d}d')
        check(lambda lib, x, u: (tf if lib is torch else ef)(x, return_indices=True, _random_samples=u.detach(), **kw),
              x, u, dtype='float64', atol=0, rtol=0, gradcheck=True)
        # unbatched input with samples of batch 1
        check(lambda lib, x, u: (tf if lib is torch else ef)(x[0], _random_samples=u[:1].detach(), **kw),
              x, u, dtype='float64', atol=0, rtol=0, gradcheck=False)
    tm = getattr(torch.nn, f'FractionalMaxPool{d}d')(2, output_ratio=0.5, _random_samples=torch.from_numpy(u))
    em = getattr(ember.nn, f'FractionalMaxPool{d}d')(2, output_ratio=0.5, _random_samples=ember.from_numpy(u))
    assert_same(tm(torch.from_numpy(x)), em(ember.from_numpy(x)), atol=0, rtol=0)
    with_idx = getattr(ember.nn.functional, f'fractional_max_pool{d}d_with_indices')(
        ember.from_numpy(x), 2, output_ratio=0.5, _random_samples=ember.from_numpy(u))
    assert isinstance(with_idx, tuple) and with_idx[1].dtype == ember.int64


def test_fractional_max_pool_random_and_errors():
    x = ember.randn(2, 3, 9, 9)
    ember.manual_seed(5)
    a = ember.nn.FractionalMaxPool2d(3, output_size=4)(x)
    ember.manual_seed(5)
    b = ember.nn.FractionalMaxPool2d(3, output_size=4)(x)
    assert a.shape == (2, 3, 4, 4) and a.tolist() == b.tolist()
    # every output is the maximum of some 3x3 window
    windows = to_np(x.unfold(2, 3, 1).unfold(3, 3, 1)).max(axis=(-1, -2))
    assert all(np.isin(to_np(a)[n, c], windows[n, c]).all() for n in range(2) for c in range(3))
    check_error(lambda lib: lib.nn.functional.fractional_max_pool2d(lib.randn(1, 2, 5, 5), 2), ValueError,
                'either an output_size or an output_ratio')
    check_error(lambda lib: lib.nn.functional.fractional_max_pool2d(lib.randn(1, 2, 5, 5), 4, output_size=3),
                RuntimeError, 'pool height 4 too large relative to input height 5')
    check_error(lambda lib: lib.nn.functional.fractional_max_pool2d(lib.randn(1, 2, 5, 5), 2, output_size=3,
                                                                     _random_samples=lib.rand(1, 3, 2)),
                RuntimeError, 'equals to input channel size')


def test_cross_map_lrn2d():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 6, 3, 3))
    for size in (1, 2, 3, 4, 5):
        t = torch.nn.CrossMapLRN2d(size, alpha=0.1, beta=0.7, k=2)
        e = ember.nn.CrossMapLRN2d(size, alpha=0.1, beta=0.7, k=2)
        assert_same(t(torch.from_numpy(x)), e(ember.from_numpy(x)), atol=1e-12)
    assert repr(ember.nn.CrossMapLRN2d(3)) == repr(torch.nn.CrossMapLRN2d(3))
    check_error(lambda lib: lib.nn.CrossMapLRN2d(3)(lib.randn(6, 3, 3)), ValueError, 'Expected input to be 4D')
