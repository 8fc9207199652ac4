#!/usr/bin/env python3
"""Where a JFR recording's allocation samples (jdk.ObjectAllocationSample) say the bytes go, for bench/RESULTS.md.

    jfr print --json --events jdk.ObjectAllocationSample rec.jfr > alloc.json
    bench/profile/alloc-frames.py alloc.json [top]

Each sample carries a weight: the bytes allocated since the thread's previous sample. Prints the share of that
weight per allocated class, per allocating method (the top frame), per thread, and per project frame anywhere
on the stack (the first one from the top, so a call chain counts once), and the total per second of recording.
"""
import json
import sys
from collections import Counter


def frame_name(f):
    m = f.get("method", {})
    t = m.get("type", {})
    return "%s.%s" % (t.get("name", "?"), m.get("name", "?"))


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    with open(path) as fh:
        events = json.load(fh)["recording"]["events"]
    if not events:
        sys.exit("no jdk.ObjectAllocationSample events in " + path)
    by_class, by_method, by_thread, by_project = Counter(), Counter(), Counter(), Counter()
    total = 0
    first = last = None
    for e in events:
        v = e["values"]
        w = v.get("weight", 0)
        total += w
        by_class[v.get("objectClass", {}).get("name", "?")] += w
        thread = v.get("eventThread") or {}
        by_thread[(thread.get("javaName") or thread.get("osName") or "?").rstrip("0123456789-")] += w
        frames = (v.get("stackTrace") or {}).get("frames") or []
        by_method[frame_name(frames[0]) if frames else "?"] += w
        project = next((frame_name(f) for f in frames if frame_name(f).startswith("org.yizhan.")), "(no project frame)")
        by_project[project] += w
        start = e["values"].get("startTime")
        first = start if first is None or start < first else first
        last = start if last is None or start > last else last
    print("%d samples, %.1f MB in all" % (len(events), total / 1e6))
    for title, counter in (("allocated class", by_class), ("allocating method (top frame)", by_method),
                           ("thread", by_thread), ("first project frame from the top", by_project)):
        print("\n== by %s" % title)
        for name, w in counter.most_common(top):
            print("%6.1f %%  %8.1f MB  %s" % (100.0 * w / total, w / 1e6, name))


if __name__ == "__main__":
    main()
