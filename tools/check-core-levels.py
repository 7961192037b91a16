#!/usr/bin/env python3
"""Checks core/'s levels: each folder includes only itself and the folders below it, and
no two concepts include each other (a .h and its .cpp count as one concept).

Usage: check-core-levels.py [SOURCE_DIR]. Exit 1 with one line per problem."""
import os
import re
import sys

# Lowest first: a folder may include the folders before it in this list, never after.
LEVELS = ["base", "model", "passes", "data", "plan", "compress", "export", "eval", "recover", "analysis", "report"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"core/([^"]+)\.h"', re.M)


def concepts(core):
    """Maps 'folder/Name' to the set of 'folder/Name' it includes (header and source together)."""
    deps, problems = {}, []
    for entry in sorted(os.listdir(core)):
        path = os.path.join(core, entry)
        if os.path.isfile(path) and entry.endswith((".h", ".cpp")):
            problems.append(f"core/{entry}: a source file at core/'s top; it belongs in the folder of its level")
        if not os.path.isdir(path):
            continue
        if entry not in LEVELS:
            problems.append(f"core/{entry}/: a folder with no level; add it to LEVELS in {sys.argv[0]}")
            continue
        for name in sorted(os.listdir(path)):
            if not name.endswith((".h", ".cpp")):
                continue
            stem = f"{entry}/{name.rsplit('.', 1)[0]}"
            with open(os.path.join(path, name), encoding="utf-8") as f:
                deps.setdefault(stem, set()).update(INCLUDE.findall(f.read()))
    for stem in deps:
        deps[stem].discard(stem)
    return deps, problems


def upward(deps):
    out = []
    for stem, targets in sorted(deps.items()):
        own = LEVELS.index(stem.split("/")[0])
        for t in sorted(targets):
            folder = t.split("/")[0]
            if folder not in LEVELS:
                out.append(f"core/{stem}: includes core/{t}.h, which is in no level folder")
            elif LEVELS.index(folder) > own:
                out.append(f"core/{stem} ({LEVELS[own]}) includes core/{t}.h ({folder}), a level above it")
    return out


def loops(deps):
    """Tarjan's strongly connected components; every component of two or more is a loop."""
    index, low, onstack, stack, out, counter = {}, {}, set(), [], [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        onstack.add(v)
        for w in deps.get(v, ()):
            if w not in deps:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in onstack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                onstack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append("include loop: " + " -> ".join(sorted(comp)))

    sys.setrecursionlimit(10000)
    for v in sorted(deps):
        if v not in index:
            visit(v)
    return out


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    deps, problems = concepts(os.path.join(source, "core"))
    problems += upward(deps) + loops(deps)
    for p in problems:
        print(p)
    print(f"{len(deps)} concepts in {len(LEVELS)} levels: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
