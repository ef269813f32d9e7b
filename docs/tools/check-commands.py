#!/usr/bin/env python3
"""Every command line of an earlier README's code blocks (starting ./batchline, ./mvnw, BATCHLINE_, bench/)
must appear, whitespace-normalised and without its trailing # comment, in README.md or docs/*.md.

    python3 docs/tools/check-commands.py 432f496:README.md    # the README before it was split into docs/

Run from the repository root."""
import glob, re, subprocess, sys
old = subprocess.check_output(['git', 'show', sys.argv[1] if len(sys.argv) > 1 else 'HEAD:README.md'], text=True)
new = ''.join(open(p).read() for p in ['README.md'] + sorted(glob.glob('docs/*.md')))
norm = lambda t: re.sub(r'\s+', ' ', t).strip()
newn = norm(new)
lines, inblock = [], False
for line in old.split('\n'):
    if line.strip().startswith('```'):
        inblock = not inblock; continue
    if inblock and re.match(r'\s*(\./batchline|\./mvnw|BATCHLINE_|bench/)', line):
        lines.append(line)
def cmd(l):  # the command without a trailing shell comment
    return re.sub(r'\s+#\s.*$', '', l)
missing = [l for l in lines if norm(cmd(l)) not in newn]
reworded = [l for l in lines if l not in missing and norm(l) not in newn]
print(f'{len(lines)} command lines checked, {len(missing)} missing')
for l in missing: print('MISSING:', l)
for l in reworded: print('comment reworded:', l)
sys.exit(1 if missing else 0)
