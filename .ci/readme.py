#!/usr/bin/env python
"Write README.md from nbs/index.ipynb (markdown cells, code cells and their text outputs); --check only compares."
import sys, json
from pathlib import Path

root = Path(__file__).resolve().parent.parent

def _text(x): return ''.join(x) if isinstance(x, list) else x

def render(nb_path):
    nb = json.loads(Path(nb_path).read_text(encoding='utf-8'))
    parts = []
    for cell in nb['cells']:
        src = _text(cell['source'])
        if cell['cell_type'] == 'markdown': parts.append(src.strip()); continue
        if cell['cell_type'] != 'code': continue
        lines = src.splitlines()
        if any(l.strip().startswith('#|') and l.strip()[2:].strip().split()[:1] in (['hide'], ['default_exp'], ['export']) for l in lines): continue
        code = '\n'.join(l for l in lines if not l.strip().startswith('#|')).strip()
        if code: parts.append(f"```python\n{code}\n```")
        for out in cell.get('outputs', []):
            data = out.get('data', {})
            if 'text/markdown' in data: parts.append(_text(data['text/markdown']).strip()); continue # a generated table, shown as one
            text = _text(out.get('text') or data.get('text/plain', ''))
            if text.strip(): parts.append(f"```\n{text.rstrip()}\n```")
    return '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    readme, text = root/'README.md', render(root/'nbs'/'index.ipynb')
    if '--check' in sys.argv:
        if readme.read_text(encoding='utf-8') != text: sys.exit('README.md is out of date: run python .ci/readme.py')
    else:
        tmp = readme.with_name('.README.md.tmp'); tmp.write_text(text, encoding='utf-8'); tmp.replace(readme)
