#!/usr/bin/env python3
"""List the cycles among src/'s top-level modules, from their `crate::…` paths.

A module `a` depends on `b` when any file under src/a (or src/a.rs) names `crate::b` (in a `use`
or in an expression path; `#[cfg(test)]` code included, as the compiler sees it). Prints each
edge and every strongly connected component of more than one module (each is a cycle).
Usage: scripts/import-cycles.py [SRC_DIR]   (default: src)
"""
import os
import re
import sys

src = sys.argv[1] if len(sys.argv) > 1 else "src"
PATH = re.compile(r"\bcrate::(\{[^}]*\}|[a-z_][a-z0-9_]*)")


def top_module(rel):
    first = rel.split(os.sep)[0]
    return first[:-3] if first.endswith(".rs") else first


def targets(text):
    for m in PATH.finditer(text):
        item = m.group(1)
        if item.startswith("{"):
            for part in item[1:-1].split(","):
                name = part.strip().split("::")[0].strip()
                if name:
                    yield name
        else:
            yield item


edges = {}
for root, _, files in os.walk(src):
    for f in files:
        if not f.endswith(".rs"):
            continue
        path = os.path.join(root, f)
        mod = top_module(os.path.relpath(path, src))
        if mod in ("lib", "main"):
            continue
        text = open(path, encoding="utf-8").read()
        # Comments are not imports.
        text = re.sub(r"//[^\n]*", "", text)
        for t in targets(text):
            if t != mod:
                edges.setdefault(mod, set()).add(t)

# Tarjan's strongly connected components.
index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]


def visit(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on.add(v)
    for w in sorted(edges.get(v, ())):
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            on.discard(w)
            comp.append(w)
            if w == v:
                break
        sccs.append(sorted(comp))


sys.setrecursionlimit(10000)
for v in sorted(set(edges) | {t for ts in edges.values() for t in ts}):
    if v not in index:
        visit(v)

if "-v" in sys.argv:
    for m in sorted(edges):
        print(f"{m} -> {', '.join(sorted(edges[m]))}")
cycles = [c for c in sccs if len(c) > 1]
if not cycles:
    print("no cycles")
for c in cycles:
    inner = {m: sorted(edges.get(m, set()) & set(c)) for m in c}
    print(f"cycle of {len(c)}: " + "; ".join(f"{m} -> {', '.join(t)}" for m, t in inner.items()))
