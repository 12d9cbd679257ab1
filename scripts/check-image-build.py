#!/usr/bin/env python3
"""The image builds what it runs: every file the Dockerfile's build stage compiles must be one the
stage copied in. Runs without Docker (CI runs it before the compose smoke, so a broken image is
named in seconds, not after a base-image build).

How: the build stage's `COPY` sources (not `COPY --from`) are read from the Dockerfile, the
TypeScript configs its `npm run build` compiles from package.json, and `tsc --listFilesOnly`
lists every source file those configs pull in, imports followed. A listed file outside the
copied paths (say `bench/` importing `test/`) is a build that works in a checkout and fails in
the image. Files under node_modules come from `npm ci` in the stage and are not checked."""
import json
import os
import re
import shlex
import subprocess
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(root)

with open("Dockerfile") as f:
    lines = f.read().replace("\\\n", " ").splitlines()
build_stage, froms = [], 0
for line in lines:
    if re.match(r"^\s*FROM\s", line, re.I):
        froms += 1
        if froms > 1:
            break
    elif froms == 1:
        build_stage.append(line.strip())

copied = []
for line in build_stage:
    words = shlex.split(line)
    if words and words[0].upper() == "COPY" and not any(w.startswith("--from") for w in words):
        sources = [w for w in words[1:-1] if not w.startswith("--")]
        copied += [os.path.normpath(s) for s in sources]
runs = " ".join(line for line in build_stage if line.upper().startswith("RUN "))
scripts = json.load(open("package.json"))["scripts"]
configs = []
for script in re.findall(r"npm run ([\w:-]+)", runs):
    configs += re.findall(r"tsc(?:-alias)? -p (\S+)", scripts.get(script, ""))
configs = sorted(set(configs))
if not configs:
    sys.exit("Dockerfile: the build stage runs no `npm run` script that compiles with tsc -p")

problems = []
for config in configs:
    if config not in copied:
        problems.append(f"{config}: compiled by the build stage, not copied into it")
    listed = subprocess.run(
        ["npx", "--no-install", "tsc", "-p", config, "--listFilesOnly"],
        check=True, capture_output=True, text=True,
    ).stdout.split()
    for path in listed:
        rel = os.path.relpath(path, root)
        if rel.startswith("..") or "node_modules" in rel.split(os.sep):
            continue
        if not any(rel == c or rel.startswith(c + os.sep) for c in copied):
            problems.append(f"{rel}: compiled by {config}, not copied into the build stage")

for problem in problems:
    print(f"Dockerfile: {problem}", file=sys.stderr)
if problems:
    sys.exit(1)
print(f"Dockerfile: the build stage copies every file {', '.join(configs)} compiles "
      f"(copied: {' '.join(copied)})")
