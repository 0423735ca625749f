"""The README's example runs and its loss falls (docs must not rot)."""
import pathlib
import re


def test_readme_example_runs(capsys):
    text = (pathlib.Path(__file__).parent.parent / 'README.md').read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    scope = {}
    exec(compile(code, 'README.md', 'exec'), scope)
    assert scope['loss'].item() < 0.05
