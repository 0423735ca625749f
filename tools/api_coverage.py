"""Which of torch's public names ember has: writes docs/api-coverage.md.

    .venv/bin/python tools/api_coverage.py [--output PATH]

For each torch namespace (torch, torch.nn, torch.nn.functional, ...) and for the methods and properties
of torch.Tensor, the script lists torch's public names and looks for the same attribute path under
ember (`torch.nn.functional.gelu` -> `ember.nn.functional.gelu`, `torch.Tensor.addmm_` ->
`ember.Tensor.addmm_`). A name counts when it is something a user calls or names: private names,
dunders, submodules, typing helpers, constants used only to build torch's docstrings, and objects a
namespace merely re-exports from another namespace (`torch.nn.functional.Tensor`) are left out.
Names that only make sense inside torch's own C++ backends or compiler (TorchScript classes, cuDNN,
MIOpen, MKL-DNN and FBGEMM kernels, quantized kernels, symbolic-shape helpers, functionalization
`*_copy` variants) are listed apart and not counted.
"""
import argparse
import importlib
import pathlib
import sys
import types

ROOT = pathlib.Path(__file__).resolve().parent.parent

NAMESPACES = ['torch', 'torch.nn', 'torch.nn.functional', 'torch.nn.init', 'torch.optim',
              'torch.optim.lr_scheduler', 'torch.utils.data', 'torch.autograd', 'torch.linalg', 'torch.fft',
              'torch.special', 'torch.distributions', 'torch.Tensor']

# Documented torch names that torch's own `__all__` leaves out.
TORCH_EXTRAS = ['set_grad_enabled', 'set_default_dtype', 'broadcast_shapes', 'unique', 'from_dlpack',
                'strided', 'sparse_coo', 'contiguous_format', 'preserve_format', 'channels_last',
                'channels_last_3d', 'svd_lowrank', 'pca_lowrank', 'lu']

# Plumbing for torch's __torch_function__ protocol and TorchScript, re-exported by torch.nn.functional.
PLUMBING = {'handle_torch_function', 'has_torch_function', 'has_torch_function_unary',
            'has_torch_function_variadic', 'boolean_dispatch'}

# Why a name is listed apart: (reason, test on the name, test on the object).
BACKEND_PREFIXES = ('cudnn_', 'miopen_', 'mkldnn_', 'fbgemm_', 'native_', 'quantize_', 'quantized_', 'q_',
                    'fake_quantize_', 'sym_', 'to_mkldnn', 'choose_qparams', 'fused_moving_avg')


# Sub-byte and bit dtypes: torch names them for extensions; no torch op computes with them.
PLACEHOLDER_DTYPES = {'bits16', 'bits1x8', 'bits2x4', 'bits4x2', 'bits8'} | {f'int{i}' for i in range(1, 8)} | {
    f'uint{i}' for i in range(1, 8)}


def excluded_reason(name, obj, names):
    """Why a public torch name is left out of the count (None: it counts)."""
    if type(obj).__name__ == 'pybind11_type' or getattr(obj, '__module__', '') in ('torch.jit',):
        return 'TorchScript / C++ binding classes'
    if name.startswith(BACKEND_PREFIXES) or name in ('dequantize', 'int_repr', 'qscheme'):
        return 'backend-specific, quantized or symbolic-shape kernels'
    if name in PLACEHOLDER_DTYPES:
        return "placeholder dtypes torch itself has no kernels for"
    if name.endswith('_copy') and name[:-5] in names and name != 'index_copy':
        return 'functionalization `*_copy` variants (for torch.compile)'
    return None


def _is_foreign(obj, ns):
    """True for objects a namespace imports from outside torch or re-exports from another public
    torch namespace (typing.Optional, functools.partial, torch.Tensor inside torch.nn.functional)."""
    module = getattr(obj, '__module__', None)
    if module is None:
        return False
    if not (module == 'torch' or module.startswith('torch.')):
        return True
    if isinstance(obj, type) and ns != 'torch' and not module.startswith(ns) and '._' not in module:
        return True
    return False


def public_names(module, ns, extras=()):
    """The public names of a torch namespace (a module or a class), as this script counts them."""
    if isinstance(module, type):   # torch.Tensor: its methods and properties
        return sorted(n for n in dir(module) if not n.startswith('_'))
    listed = set(getattr(module, '__all__', ()))
    names = []
    for name in sorted(set(dir(module)) | listed | set(extras)):
        if name.startswith('_') or name in PLUMBING or not hasattr(module, name):
            continue
        obj = getattr(module, name)
        if isinstance(obj, types.ModuleType):
            continue
        if ns == 'torch':
            # torch's __all__ is its public list; it also names dtypes, layouts and constants (pi, inf).
            if name in listed or name in extras:
                names.append(name)
            continue
        if not callable(obj) or _is_foreign(obj, ns):
            continue
        names.append(name)
    return names


def has_path(root, dotted):
    obj = root
    for part in dotted.split('.'):
        try:
            obj = getattr(obj, part)
        except Exception:   # a lazy attribute that fails to build is as good as missing
            return False
    return True


def survey():
    """[(namespace, counted names, missing names, {reason: [excluded names]})] for every namespace."""
    import torch
    import ember
    rows = []
    for ns in NAMESPACES:
        module = torch.Tensor if ns == 'torch.Tensor' else importlib.import_module(ns)
        names = public_names(module, ns, TORCH_EXTRAS if ns == 'torch' else ())
        all_names = set(names)
        counted, excluded = [], {}
        for name in names:
            reason = excluded_reason(name, getattr(module, name), all_names)
            if reason:
                excluded.setdefault(reason, []).append(name)
            else:
                counted.append(name)
        prefix = ns[len('torch.'):] + '.' if ns != 'torch' else ''   # 'nn.functional.' for torch.nn.functional
        missing = [n for n in counted if not has_path(ember, prefix + n)]
        rows.append((ns, counted, missing, excluded))
    return rows


def render(rows):
    import torch
    import ember
    lines = ['# API coverage: torch names that ember has', '',
             f'Generated by `tools/api_coverage.py` (torch {torch.__version__}, ember {ember.__version__}). '
             'Regenerate after adding ops: `.venv/bin/python tools/api_coverage.py`.', '',
             'A name counts as present when the same attribute path exists under `ember` '
             '(`torch.nn.functional.gelu` -> `ember.nn.functional.gelu`; `torch.Tensor.addmm_` -> '
             '`ember.Tensor.addmm_`). Private names, dunders, submodules, typing helpers and re-exports '
             'are not counted; names that belong to torch\'s C++ backends and compiler (TorchScript classes, '
             'cuDNN/MIOpen/MKL-DNN/FBGEMM and quantized kernels, symbolic shapes, `*_copy` variants, '
             'placeholder sub-byte dtypes) are '
             'listed apart at the end. Present means the name exists, not that every argument of it is '
             'supported: see `docs/pytorch-users.md` for known differences.', '',
             '| namespace | torch names | in ember | coverage |', '|---|---:|---:|---:|']
    total = have = 0
    for ns, counted, missing, _ in rows:
        n, h = len(counted), len(counted) - len(missing)
        total, have = total + n, have + h
        lines.append(f'| `{ns}` | {n} | {h} | {100 * h / max(n, 1):.0f}% |')
    lines.append(f'| **all** | **{total}** | **{have}** | **{100 * have / max(total, 1):.0f}%** |')
    lines += ['', '## Missing names', '']
    for ns, counted, missing, _ in rows:
        if not missing:
            lines += [f'`{ns}`: nothing missing.', '']
            continue
        lines += ['<details>', f'<summary><code>{ns}</code>: {len(missing)} missing</summary>', '',
                  ', '.join(f'`{n}`' for n in missing), '', '</details>', '']
    lines += ['## Not counted', '']
    for ns, _, _, excluded in rows:
        for reason, names in sorted(excluded.items()):
            lines += ['<details>', f'<summary><code>{ns}</code>: {reason} ({len(names)})</summary>', '',
                      ', '.join(f'`{n}`' for n in names), '', '</details>', '']
    return '\n'.join(lines).rstrip() + '\n'


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--output', default=str(ROOT / 'docs' / 'api-coverage.md'),
                        help='where to write the table (default: docs/api-coverage.md)')
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))   # the ember of this checkout, even when it is not installed
    rows = survey()
    pathlib.Path(args.output).write_text(render(rows))
    total = sum(len(c) for _, c, _, _ in rows)
    have = total - sum(len(m) for _, _, m, _ in rows)
    for ns, counted, missing, _ in rows:
        print(f'{ns:28s} {len(counted) - len(missing):4d} / {len(counted):4d}')
    print(f'{"all":28s} {have:4d} / {total:4d}  ({100 * have / total:.0f}%) -> {args.output}')
    return rows


if __name__ == '__main__':
    main()
