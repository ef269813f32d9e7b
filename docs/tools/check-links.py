#!/usr/bin/env python3
"""Every relative link in README.md and docs/*.md must resolve: the file exists, and an anchor matches a heading
slug of the target file (GitHub rules: lower case, punctuation other than '-' and '_' dropped, spaces -> '-',
duplicates get -1, -2, ...). Links inside code blocks and inline code are ignored.

    python3 docs/tools/check-links.py    # from the repository root
"""
import glob, os, re, sys
from urllib.parse import unquote

def strip_code(text):
    text = re.sub(r'^```.*?^```', '', text, flags=re.S | re.M)
    return re.sub(r'`[^`\n]*`', '', text)

def slugs(path):
    seen, out = {}, set()
    text = re.sub(r'^```.*?^```', '', open(path).read(), flags=re.S | re.M)
    for m in re.finditer(r'^#{1,6}\s+(.*?)\s*#*\s*$', text, flags=re.M):
        h = m.group(1)
        h = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', h)          # link text only
        h = h.replace('`', '').replace('*', '')
        s = re.sub(r'[^\w\- ]', '', h.strip().lower()).replace(' ', '-')
        n = seen.get(s, 0); seen[s] = n + 1
        out.add(s if n == 0 else f'{s}-{n}')
    return out

files = ['README.md'] + sorted(glob.glob('docs/*.md'))
bad, count = [], 0
for f in files:
    for m in re.finditer(r'\]\(([^)\s]+)\)', strip_code(open(f).read())):
        target = m.group(1)
        if re.match(r'[a-z]+:', target): continue              # http(s), mailto: not checked here
        count += 1
        path, _, anchor = target.partition('#')
        dest = os.path.normpath(os.path.join(os.path.dirname(f), unquote(path))) if path else f
        if not os.path.exists(dest):
            bad.append(f'{f}: {target}: no file {dest}'); continue
        if anchor:
            if not dest.endswith('.md'):
                bad.append(f'{f}: {target}: anchor into a non-markdown file'); continue
            if anchor not in slugs(dest):
                bad.append(f'{f}: {target}: no heading #{anchor} in {dest}')
print(f'{count} relative links checked in {len(files)} files, {len(bad)} broken')
for b in bad: print('BROKEN:', b)
sys.exit(1 if bad else 0)
