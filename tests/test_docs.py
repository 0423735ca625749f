"""The docs' code runs and says what it prints (docs must not rot), and the API coverage script works.

Each ```python block of a page runs in order in one namespace. A top-level expression whose last line
ends in `# -> text` must have `repr()` equal to text; comment lines right below it, with their `#` in the
same column, continue the expected text (what follows `#` loses the 4 characters that `-> ` plus its
space take on the first line, so the continuation lines up as the output would).
"""
import ast
import importlib.util
import io
import pathlib
import re
import tokenize
import types
import warnings

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = ROOT / 'docs'


def python_blocks(path):
    """(first line number, code) of each ```python block of a Markdown file."""
    text = path.read_text()
    blocks = []
    for m in re.finditer(r'^```python\n(.*?)^```', text, re.S | re.M):
        blocks.append((text[:m.start()].count('\n') + 2, m.group(1)))
    return blocks


def expectations(code):
    """{line number: expected repr} for lines that carry a `# -> text` comment (1-based, in code)."""
    comments = {}
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type == tokenize.COMMENT:
            comments[tok.start[0]] = (tok.start[1], tok.string, tok.line.strip().startswith('#'))
    expected = {}
    for line, (col, text, alone) in sorted(comments.items()):
        if alone or not text.startswith('# -> '):
            continue
        parts, nxt = [text[len('# -> '):]], line + 1
        while nxt in comments and comments[nxt][2] and comments[nxt][0] == col:
            parts.append(comments[nxt][1][1:][4:])
            nxt += 1
        expected[line] = '\n'.join(parts)
    return expected


def run_markdown(path):
    """Run every python block of path in one namespace; return how many `# ->` checks passed."""
    scope = {'__name__': f'doc:{path.name}'}
    checked = 0
    for start, code in python_blocks(path):
        where = f'{path.name}:{start}'
        expected = expectations(code)
        tree = ast.parse(code, filename=where)
        seen = set()
        for node in tree.body:
            if isinstance(node, ast.Expr) and node.end_lineno in expected:
                value = eval(compile(ast.Expression(node.value), where, 'eval'), scope)
                want = expected[node.end_lineno]
                assert repr(value) == want, (f'{where} line {start + node.lineno - 1}: '
                                             f'got\n{value!r}\nexpected\n{want}')
                seen.add(node.end_lineno)
                checked += 1
            else:
                exec(compile(ast.Module([node], type_ignores=[]), where, 'exec'), scope)
        stray = set(expected) - seen
        assert not stray, f'{where}: `# ->` on a line that is not a top-level expression: {sorted(stray)}'
    return checked


def test_expectations_parser():
    code = ('x = 1\n'
            'x + 1  # -> 2\n'
            'm  # -> M(\n'
            '   #      (a): A\n'
            '   #    )\n'
            'y = 2  # a plain comment\n'
            '# -> not an expectation on its own line\n')
    assert expectations(code) == {2: '2', 3: 'M(\n  (a): A\n)'}


def test_runner_catches_wrong_output(tmp_path):
    page = tmp_path / 'page.md'
    page.write_text('text\n```python\nx = 2\nx * 2  # -> 5\n```\n')
    with pytest.raises(AssertionError, match='expected'):
        run_markdown(page)
    page.write_text('```python\nx = [1, 2]\nx  # -> [1, 2]\nfor i in x:\n    i  # -> 1\n```\n')
    with pytest.raises(AssertionError, match='not a top-level expression'):
        run_markdown(page)


def test_tutorial_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)   # the tutorial saves a checkpoint in the working directory
    assert run_markdown(DOCS / 'tutorial.md') >= 30


def test_pytorch_users_page_runs():
    assert run_markdown(DOCS / 'pytorch-users.md') >= 10


def _load_coverage_tool():
    spec = importlib.util.spec_from_file_location('api_coverage', ROOT / 'tools' / 'api_coverage.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_coverage_filters_names():
    cov = _load_coverage_tool()
    import typing
    import torch
    fake = types.ModuleType('torch.fake')
    exec('import typing, functools, math\n'
         'from typing import Optional\n'
         'from torch import Tensor\n'
         'def public(x): return x\n'
         'def _private(x): return x\n'
         'class Thing: pass\n'
         'notes = {"a": "b"}\n', fake.__dict__)
    fake.public.__module__ = fake.Thing.__module__ = 'torch.fake'
    assert cov.public_names(fake, 'torch.fake') == ['Thing', 'public']
    assert typing.Optional is fake.Optional and fake.Tensor is torch.Tensor   # what was filtered out
    assert cov.excluded_reason('cudnn_convolution', torch.cudnn_convolution, set()) is not None
    assert cov.excluded_reason('view_copy', torch.view_copy, {'view', 'view_copy'}) is not None
    assert cov.excluded_reason('add', torch.add, {'add'}) is None


def test_coverage_script_writes_table(tmp_path):
    cov = _load_coverage_tool()
    out = tmp_path / 'coverage.md'
    rows = cov.main(['--output', str(out)])
    text = out.read_text()
    assert '.venv/bin/python tools/api_coverage.py' in text
    by_ns = {ns: (counted, missing) for ns, counted, missing, _ in rows}
    assert set(by_ns) >= {'torch', 'torch.nn', 'torch.nn.functional', 'torch.optim', 'torch.utils.data',
                          'torch.linalg', 'torch.fft', 'torch.distributions', 'torch.Tensor'}
    import ember
    counted, missing = by_ns['torch.nn']
    assert 'Linear' in counted and 'Linear' not in missing and hasattr(ember.nn, 'Linear')
    for name in missing:
        assert not hasattr(ember.nn, name)
    counted, missing = by_ns['torch']
    assert 'sparse_coo_tensor' in missing and not hasattr(ember, 'sparse_coo_tensor')
    assert 'add' in counted and 'add' not in missing
    total = sum(len(c) for c, _ in by_ns.values())
    have = total - sum(len(m) for _, m in by_ns.values())
    assert f'| **all** | **{total}** | **{have}** |' in text


def test_documented_differences_hold():
    """Each difference docs/pytorch-users.md states, checked on both libraries: when ember closes a gap,
    this fails and the page gets updated."""
    import numpy as np
    import torch
    import ember

    with pytest.raises(AssertionError, match='CUDA'):
        ember.zeros(2, device='cuda')
    with pytest.raises(AssertionError):
        torch.zeros(2, device='cuda')
    torch.zeros(2, device='meta')
    with pytest.raises(RuntimeError):
        ember.zeros(2, device='meta')
    for name in ('fx', 'sparse_coo_tensor',
                 'complex32', 'float8_e4m3fn'):
        assert hasattr(torch, name) and not hasattr(ember, name), name
    assert ember.from_numpy(np.zeros(2, np.uint16)).dtype == ember.uint16
    assert not hasattr(ember.Tensor, '__torch_function__')
    # random streams: torch's, and the state moves between the two
    ember.manual_seed(0)
    torch.manual_seed(0)
    assert np.allclose(ember.randn(3).numpy(), torch.randn(3).numpy(), rtol=1e-6)
    assert np.allclose(ember.randn(40).numpy(), torch.randn(40).numpy(), atol=1e-5)
    assert np.array_equal(ember.get_rng_state().numpy(), torch.get_rng_state().numpy())
    assert ember.randperm(50).tolist() == torch.randperm(50).tolist()
    # einsum diagonals and .real/.imag copy in ember, view in torch
    for lib, shares in ((torch, True), (ember, False)):
        x = lib.zeros(3, 3)
        lib.einsum('ii->i', x)[0] = 5.0
        assert (x[0, 0].item() == 5.0) is shares
        z = lib.zeros(2, dtype=lib.complex64)
        z.real[0] = 7.0
        z.imag[1] = 7.0
        assert (z[0].item() == 7.0 and z[1].item() == 7j) is shares
        assert z.conj().is_conj() is shares
    # float32 cumsum accumulates in float64 in both
    assert torch.full((100000,), 0.1).cumsum(0)[-1].item() == ember.full((100000,), 0.1).cumsum(0)[-1].item()
    # sort ties: ember stable, torch's default order is not the input order
    assert ember.tensor([3, 1, 3, 1] * 5).sort().indices.tolist()[:2] == [1, 3]
    assert torch.tensor([3, 1, 3, 1] * 5).sort().indices.tolist() != ember.tensor([3, 1, 3, 1] * 5).sort(
        stable=True).indices.tolist()
    # NumPy interop
    with pytest.raises(ValueError):
        torch.from_numpy(np.arange(3)[::-1])
    with pytest.raises(TypeError):
        np.ones(2) * torch.ones(2)
    with pytest.raises(TypeError):
        np.exp(ember.ones(2))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)   # torch's own __array_wrap__ under NumPy 2
        assert isinstance(np.exp(torch.ones(2)), torch.Tensor)
    with pytest.raises(TypeError):
        torch.ones(1, dtype=torch.bfloat16).numpy()
    assert ember.ones(1, dtype=ember.bfloat16).numpy().dtype.name == 'bfloat16'
    # out= on reductions and scans, in both
    for name in ('sum', 'mean', 'cumsum', 'amax', 'logsumexp'):
        t = getattr(torch, name)(torch.ones(2, 2), 1, out=torch.empty(0))
        e = getattr(ember, name)(ember.ones(2, 2), 1, out=ember.empty(0))
        assert t.tolist() == e.tolist()
    # channels_last is accepted but the layout stays contiguous
    assert torch.zeros(1, 2, 3, 3).to(memory_format=torch.channels_last).stride() == (18, 1, 6, 2)
    assert ember.zeros(1, 2, 3, 3).to(memory_format=ember.channels_last).stride() == (18, 9, 3, 1)
    # pin_memory / share_memory_
    with pytest.raises(RuntimeError):
        torch.ones(1).pin_memory()
    assert not ember.ones(1).pin_memory().is_pinned() and not ember.ones(1).share_memory_().is_shared()
