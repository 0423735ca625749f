"""ember.save/load against torch.save/load (both directions), safetensors against the safetensors package."""
import io
import os
import pickle
import struct
import zipfile
import numpy as np
import pytest
import torch
import ember
from ember.utils import safetensors as est
from tests.helpers import to_np

DTYPES = ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'float16', 'bfloat16', 'float32', 'float64',
          'complex64', 'complex128']


def _sample(dt, shape=(3, 4), seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape) * 50
    if dt == 'bool':
        return a > 0
    if dt in ('complex64', 'complex128'):
        return (a + 1j * rng.standard_normal(shape)).astype(dt)
    if dt == 'bfloat16':
        return a.astype(np.float32)
    return a.astype(dt)


def _pair(dt, shape=(3, 4), seed=0):
    a = _sample(dt, shape, seed)
    t = torch.from_numpy(a.copy())
    e = ember.from_numpy(a.copy())
    if dt == 'bfloat16':
        t, e = t.bfloat16(), e.bfloat16()
    return t, e


def _same(t, e):
    assert isinstance(e, ember.Tensor) and isinstance(t, torch.Tensor)
    assert repr(e.dtype) == repr(t.dtype) and tuple(e.shape) == tuple(t.shape)
    np.testing.assert_array_equal(to_np(e), to_np(t))


@pytest.mark.parametrize('dt', DTYPES)
def test_every_dtype_both_directions(dt, tmp_path):
    t, e = _pair(dt)
    ember.save({'x': e, 'xt': e.t()}, tmp_path / 'e.pt')
    got = torch.load(tmp_path / 'e.pt')
    _same(got['x'], e)
    _same(got['xt'], e.t())
    assert got['xt'].stride() == (1, 4)
    torch.save({'x': t, 'xt': t.t()}, tmp_path / 't.pt')
    back = ember.load(tmp_path / 't.pt')
    _same(t, back['x'])
    _same(t.t(), back['xt'])
    # ember -> torch -> ember
    torch.save(got, tmp_path / 'again.pt')
    _same(t, ember.load(tmp_path / 'again.pt')['x'])


def test_views_and_shared_storage(tmp_path):
    base = ember.arange(24.).reshape(4, 6)
    obj = {'base': base, 'row': base[1], 'col': base[:, 2], 'tail': base.reshape(-1)[5:], 'same': base}
    ember.save(obj, tmp_path / 'e.pt')
    with zipfile.ZipFile(tmp_path / 'e.pt') as z:
        assert sum('/data/' in n and not n.endswith('serialization_id') for n in z.namelist()) == 1
    t = torch.load(tmp_path / 'e.pt')
    assert t['same'] is t['base']
    assert t['col'].storage_offset() == 2 and t['col'].stride() == (6,)
    t['base'][1, 2] = -1.0          # one storage in torch too
    assert t['row'][2].item() == -1.0 and t['col'][1].item() == -1.0 and t['tail'][3].item() == -1.0
    torch.save(t, tmp_path / 't.pt')
    e = ember.load(tmp_path / 't.pt')
    e['base']._data[0, 5] = 99.0
    assert e['tail'][0].item() == 99.0
    assert e['same'] is e['base']
    np.testing.assert_array_equal(e['col']._data, [2., -1., 14., 20.])


def test_nested_containers_and_python_values(tmp_path):
    obj = {'list': [ember.ones(2), 3, 'a'], 'tuple': (1.5, None, ember.zeros(1, dtype=ember.int32)),
           'nested': {'k': {'deep': ember.tensor([1, 2])}}, 'bytes': b'\x00\xff', 'set': {1, 2}, 'c': 1 + 2j,
           'size': ember.Size([2, 3]), 'dtype': ember.bfloat16, 'device': ember.device('cpu'), 'epoch': 7}
    ember.save(obj, tmp_path / 'e.pt')
    t = torch.load(tmp_path / 'e.pt')
    assert t['size'] == torch.Size([2, 3]) and t['dtype'] is torch.bfloat16 and t['device'] == torch.device('cpu')
    assert t['bytes'] == b'\x00\xff' and t['set'] == {1, 2} and t['c'] == 1 + 2j and t['epoch'] == 7
    assert t['list'][1:] == [3, 'a'] and t['tuple'][:2] == (1.5, None)
    _same(t['nested']['k']['deep'], obj['nested']['k']['deep'])
    torch.save(t, tmp_path / 't.pt')
    e = ember.load(tmp_path / 't.pt')
    assert e['size'] == ember.Size([2, 3]) and type(e['size']) is ember.Size and e['dtype'] is ember.bfloat16
    assert e['device'] == ember.device('cpu') and e['tuple'][2].dtype == ember.int32
    assert e['bytes'] == b'\x00\xff' and e['set'] == {1, 2}


def test_requires_grad_and_file_objects():
    x = ember.ones(3, requires_grad=True)
    buf = io.BytesIO()
    ember.save([x, x * 2], buf)
    buf.seek(0)
    t = torch.load(buf)
    assert t[0].requires_grad and t[1].requires_grad
    buf = io.BytesIO()
    torch.save({'x': torch.ones(2, requires_grad=True)}, buf)
    buf.seek(0)
    assert ember.load(buf)['x'].requires_grad


def _torch_mlp():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))


def _ember_mlp():
    return ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.ReLU(), ember.nn.Linear(8, 2))


def test_state_dict_round_trips_with_torch_models(tmp_path):
    tm = _torch_mlp()
    torch.save({'model': tm.state_dict(), 'epoch': 3}, tmp_path / 't.pt')
    ck = ember.load(tmp_path / 't.pt')
    em = _ember_mlp()
    em.load_state_dict(ck['model'])
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(em(ember.from_numpy(x))._data, tm(torch.from_numpy(x)).detach().numpy(), rtol=1e-5)
    ember.save({'model': em.state_dict(), 'epoch': ck['epoch'] + 1}, tmp_path / 'e.pt')
    ck2 = torch.load(tmp_path / 'e.pt')
    tm2 = _torch_mlp()
    with torch.no_grad():
        for p in tm2.parameters():
            p.zero_()
    tm2.load_state_dict(ck2['model'])
    assert ck2['epoch'] == 4
    np.testing.assert_allclose(tm2(torch.from_numpy(x)).detach().numpy(), tm(torch.from_numpy(x)).detach().numpy())


def test_parameters_round_trip_as_parameters(tmp_path):
    p = ember.nn.Parameter(ember.ones(3))
    ember.save({'p': p}, tmp_path / 'e.pt')
    tp = torch.load(tmp_path / 'e.pt')['p']
    assert isinstance(tp, torch.nn.Parameter) and tp.requires_grad
    torch.save({'p': tp}, tmp_path / 't.pt')
    ep = ember.load(tmp_path / 't.pt')['p']
    assert isinstance(ep, ember.nn.Parameter) and ep.requires_grad


def test_whole_module_with_weights_only_false(tmp_path):
    em = _ember_mlp()
    ember.save(em, tmp_path / 'm.pt')
    with pytest.raises(pickle.UnpicklingError, match='Weights only load failed'):
        ember.load(tmp_path / 'm.pt')
    m2 = ember.load(tmp_path / 'm.pt', weights_only=False)
    x = ember.randn(2, 4)
    np.testing.assert_array_equal(m2(x)._data, em(x)._data)
    assert isinstance(m2[0].weight, ember.nn.Parameter)


class Point:
    def __init__(self, x):
        self.x = x


def test_weights_only_refuses_malicious_pickles(tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ('echo pwned > ' + str(tmp_path / 'pwned'),))
    torch.save({'a': Evil()}, tmp_path / 'evil.pt')
    with pytest.raises(pickle.UnpicklingError, match=r"(?s)evil\.pt.*GLOBAL posix\.system"):
        ember.load(tmp_path / 'evil.pt')
    assert not (tmp_path / 'pwned').exists()
    # and a bare pickle of builtins.eval smuggled into data.pkl
    ember.save({'ok': 1}, tmp_path / 'e.pt')
    with zipfile.ZipFile(tmp_path / 'e.pt') as z, zipfile.ZipFile(tmp_path / 'bad.pt', 'w') as out:
        for n in z.namelist():
            data = z.read(n)
            if n.endswith('data.pkl'):
                data = b"\x80\x02cbuiltins\neval\nX\x04\x00\x00\x001+1\x85R."
            out.writestr(n, data)
    with pytest.raises(pickle.UnpicklingError, match='builtins.eval'):
        ember.load(tmp_path / 'bad.pt')


def test_safe_globals(tmp_path):
    ember.save({'pt': Point(ember.ones(1))}, tmp_path / 'e.pt')
    with pytest.raises(pickle.UnpicklingError, match='add_safe_globals'):
        ember.load(tmp_path / 'e.pt')
    with ember.serialization.safe_globals([Point]):
        assert ember.serialization.get_safe_globals() == [Point]
        assert ember.load(tmp_path / 'e.pt')['pt'].x.item() == 1.0
    assert ember.serialization.get_safe_globals() == []
    ember.serialization.add_safe_globals([Point])
    try:
        assert isinstance(ember.load(tmp_path / 'e.pt')['pt'], Point)
        assert ember.serialization.get_unsafe_globals_in_checkpoint(tmp_path / 'e.pt') == []
    finally:
        ember.serialization.clear_safe_globals()
    assert ember.serialization.get_unsafe_globals_in_checkpoint(tmp_path / 'e.pt') == [_full_name(Point)]


def test_corrupted_and_truncated_files(tmp_path):
    ember.save({'w': ember.arange(1000.)}, tmp_path / 'e.pt')
    raw = (tmp_path / 'e.pt').read_bytes()
    (tmp_path / 'cut.pt').write_bytes(raw[:len(raw) // 2])
    with pytest.raises(RuntimeError, match=r"cut\.pt.*(truncated|corrupted)"):
        ember.load(tmp_path / 'cut.pt')
    with zipfile.ZipFile(tmp_path / 'e.pt') as z:
        info = z.getinfo('e/data/0')
    n, m = struct.unpack('<HH', raw[info.header_offset + 26:info.header_offset + 30])
    pos = info.header_offset + 30 + n + m + 40
    bad = raw[:pos] + bytes([raw[pos] ^ 0xFF]) + raw[pos + 1:]
    (tmp_path / 'flip.pt').write_bytes(bad)
    with pytest.raises(RuntimeError, match=r"flip\.pt.*data/0.*CRC"):
        ember.load(tmp_path / 'flip.pt')
    (tmp_path / 'junk.pt').write_bytes(b'not a checkpoint at all')
    with pytest.raises(RuntimeError, match='junk'):
        ember.load(tmp_path / 'junk.pt')


def test_unsupported_dtype_is_named(tmp_path):
    torch.save({'u': torch.zeros(4, dtype=torch.complex32)}, tmp_path / 'u.pt')
    with pytest.raises((RuntimeError, pickle.UnpicklingError), match=r"u\.pt.*complex32|ComplexHalf"):
        ember.load(tmp_path / 'u.pt')


def test_wide_unsigned_round_trip(tmp_path):
    sd = {'a': torch.tensor([1, 2, 60000], dtype=torch.uint16), 'b': torch.tensor([3, 2 ** 40], dtype=torch.uint64),
          'c': torch.arange(6).to(torch.uint32)[1::2]}
    torch.save(sd, tmp_path / 'u.pt')
    got = ember.load(tmp_path / 'u.pt', weights_only=True)
    for k, v in sd.items():
        assert got[k].dtype is getattr(ember, str(v.dtype)[6:]) and got[k].tolist() == v.tolist()
    ember.save(got, tmp_path / 'e.pt')
    back = torch.load(tmp_path / 'e.pt', weights_only=True)
    assert all(back[k].dtype == v.dtype and torch.equal(back[k], v) for k, v in sd.items())


def test_load_state_dict_shape_mismatch_loads_nothing():
    em = _ember_mlp()
    before = {k: v._data.copy() for k, v in em.state_dict().items()}
    sd = {k: v * 0 + 5 for k, v in em.state_dict().items()}
    sd['2.weight'] = ember.zeros(3, 8)
    with pytest.raises(RuntimeError, match=r"2\.weight"):
        em.load_state_dict(sd)
    for k, v in em.state_dict().items():
        np.testing.assert_array_equal(v._data, before[k])


def test_legacy_format_and_mmap(tmp_path):
    x = torch.arange(12, dtype=torch.float64).reshape(3, 4)
    torch.save({'x': x, 'row': x[1], 'p': torch.nn.Parameter(torch.ones(2))}, tmp_path / 'legacy.pt',
               _use_new_zipfile_serialization=False)
    e = ember.load(tmp_path / 'legacy.pt')
    _same(x, e['x'])
    _same(x[1], e['row'])
    assert isinstance(e['p'], ember.nn.Parameter)
    e['x']._data[1, 0] = -5
    assert e['row'][0].item() == -5
    torch.save({'x': x}, tmp_path / 'z.pt')
    m = ember.load(tmp_path / 'z.pt', mmap=True)
    _same(x, m['x'])
    m['x'][0, 0] = 100.0            # copy-on-write, as torch's default mmap: the file is unchanged
    _same(x, ember.load(tmp_path / 'z.pt')['x'])


def test_large_tensor_and_zip64(tmp_path, monkeypatch):
    big = ember.from_numpy(np.arange(27_000_000, dtype=np.int32))      # 108 MB
    ember.save({'big': big}, tmp_path / 'big.pt')
    t = torch.load(tmp_path / 'big.pt', mmap=True)
    assert t['big'].shape == (27_000_000,) and t["big"][-1].item() == 26_999_999
    e = ember.load(tmp_path / 'big.pt', mmap=True)
    assert e["big"][12_345_678].item() == 12_345_678
    # the zip64 records a >2 GiB checkpoint needs, exercised at a small size
    monkeypatch.setattr(zipfile, 'ZIP64_LIMIT', 1000)
    small = ember.arange(5000.)
    ember.save({'s': small, 'v': small[10:20]}, tmp_path / 'z64.pt')
    monkeypatch.undo()
    with zipfile.ZipFile(tmp_path / 'z64.pt') as z:
        assert any(len(i.extra) >= 20 for i in z.infolist())
    t = torch.load(tmp_path / 'z64.pt')
    np.testing.assert_array_equal(t['v'].numpy(), np.arange(10., 20.))
    np.testing.assert_array_equal(ember.load(tmp_path / 'z64.pt')['s']._data, small._data)


def test_records_are_aligned(tmp_path):
    ember.save({'a': ember.ones(3), 'b': ember.ones(5, dtype=ember.float64)}, tmp_path / 'e.pt')
    raw = (tmp_path / 'e.pt').read_bytes()
    with zipfile.ZipFile(tmp_path / 'e.pt') as z:
        for info in z.infolist():
            if '/data/' in info.filename:
                n, m = struct.unpack('<HH', raw[info.header_offset + 26:info.header_offset + 30])
                assert (info.header_offset + 30 + n + m) % 64 == 0


# --- safetensors ---------------------------------------------------------------------------------------
ST_DTYPES = ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'float16', 'bfloat16', 'float32', 'float64']


def test_safetensors_matches_the_package(tmp_path):
    from safetensors.torch import save_file, load_file, save as st_save
    pairs = {dt: _pair(dt, seed=i) for i, dt in enumerate(ST_DTYPES)}
    etensors = {dt: e for dt, (t, e) in pairs.items()}
    ttensors = {dt: t for dt, (t, e) in pairs.items()}
    est.save_file(etensors, tmp_path / 'e.st', metadata={'format': 'pt'})
    got = load_file(tmp_path / 'e.st')
    for dt, t in ttensors.items():
        _same(got[dt], etensors[dt])
    # byte for byte what the package writes
    assert est.save(etensors, metadata={'format': 'pt'}) == st_save(ttensors, metadata={'format': 'pt'})
    save_file(ttensors, tmp_path / 't.st')
    back = est.load_file(tmp_path / 't.st')
    for dt, t in ttensors.items():
        _same(t, back[dt])
    with est.safe_open(tmp_path / 'e.st', framework='pt') as f:
        assert f.metadata() == {'format': 'pt'} and f.keys() == sorted(ST_DTYPES)
        _same(ttensors['int16'], f.get_tensor('int16'))
    loaded = est.load(st_save(ttensors))
    _same(ttensors['float16'], loaded['float16'])


def test_safetensors_errors(tmp_path):
    x = ember.arange(6.)
    with pytest.raises(RuntimeError, match='share memory'):
        est.save_file({'a': x, 'b': x[2:]}, tmp_path / 'x.st')
    est.save_file({'a': x}, tmp_path / 'ok.st')
    raw = (tmp_path / 'ok.st').read_bytes()
    (tmp_path / 'cut.st').write_bytes(raw[:-4])
    with pytest.raises(est.SafetensorError, match='cut.st'):
        est.load_file(tmp_path / 'cut.st')
    with pytest.raises(est.SafetensorError, match='HeaderTooSmall'):
        est.load(b'abc')


def _full_name(cls):
    return f"{cls.__module__}.{cls.__qualname__}"
