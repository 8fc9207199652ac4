#!/usr/bin/env python3
"""Package cycles: lists the package-level import edges of a Java source tree and reports every group of
packages that reach each other (a cycle), with the files and classes that make each edge. Exits 1 when there is
a cycle.

    python3 .ci/package-cycles.py                                   # hub-server, org.yizhan.hub
    python3 .ci/package-cycles.py station-agent/src/main/java org.yizhan.agent -v   # -v: every edge
"""
import re, sys, os, collections
root = sys.argv[1] if len(sys.argv) > 1 else "hub-server/src/main/java"
prefix = sys.argv[2] if len(sys.argv) > 2 else "org.yizhan.hub"
edges = collections.defaultdict(set)
why = collections.defaultdict(set)
pkgs = set()
for d, _, fs in os.walk(root):
    for f in fs:
        if not f.endswith(".java"): continue
        src = open(os.path.join(d, f), encoding="utf-8").read()
        m = re.search(r"^package\s+([\w.]+);", src, re.M)
        if not m: continue
        p = m.group(1); pkgs.add(p)
        refs = set(re.findall(r"^import\s+(?:static\s+)?([\w.]+)\s*;", src, re.M))
        refs |= set(re.findall(r"\b(" + re.escape(prefix) + r"(?:\.[a-z]\w*)*\.[A-Z]\w*)", src))
        for r in refs:
            if not r.startswith(prefix + "."): continue
            parts = r.split(".")
            i = next((k for k, s in enumerate(parts) if s[:1].isupper()), len(parts))
            q = ".".join(parts[:i])
            if q != p and q.startswith(prefix):
                edges[p].add(q); why[(p, q)].add(f + " -> " + ".".join(parts[i:i+1]))
# Tarjan
idx, low, stack, on, sccs, n = {}, {}, [], set(), [], [0]
def visit(v):
    idx[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
    for w in edges.get(v, ()):
        if w not in idx: visit(w); low[v] = min(low[v], low[w])
        elif w in on: low[v] = min(low[v], idx[w])
    if low[v] == idx[v]:
        c = []
        while True:
            w = stack.pop(); on.discard(w); c.append(w)
            if w == v: break
        if len(c) > 1: sccs.append(sorted(c))
sys.setrecursionlimit(10000)
for v in sorted(pkgs): 
    if v not in idx: visit(v)
short = lambda s: s[len(prefix)+1:] if s != prefix else "(root)"
if "-v" in sys.argv:
    for p in sorted(pkgs):
        print(f"{short(p):12} -> {', '.join(sorted(short(q) for q in edges.get(p, ())))}")
for c in sccs:
    cs = set(c)
    print("CYCLE:", " ".join(short(x) for x in c))
    for a in c:
        for b in sorted(edges[a] & cs):
            print(f"   {short(a)} -> {short(b)}: {', '.join(sorted(why[(a,b)]))}")
print(f"{len(pkgs)} packages, {sum(len(v) for v in edges.values())} edges, {len(sccs)} cycles")
sys.exit(1 if sccs else 0)
