#!/usr/bin/env python3
"""Top frames of a JFR recording's CPU samples (jdk.ExecutionSample), for bench/RESULTS.md.

    jfr print --json --events jdk.ExecutionSample rec.jfr > samples.json
    bench/profile/hot-frames.py samples.json [top]

Prints the share of samples per top frame (the method running), per group (the first frame, from the top,
whose class belongs to a known library or to the project), and per project frame anywhere on the stack.
"""
import json
import sys
from collections import Counter

GROUPS = [
    ("io.questdb.", "QuestDB"),
    ("com.influxdb.", "influxdb-client-java"),
    ("io.reactivex.", "RxJava (influxdb-client batching)"),
    ("org.h2.", "H2"),
    ("org.postgresql.", "PostgreSQL JDBC"),
    ("com.zaxxer.hikari.", "HikariCP"),
    ("io.netty.handler.codec.mqtt.", "Netty MQTT codec"),
    ("io.netty.", "Netty"),
    ("io.vertx.mqtt.", "vertx-mqtt"),
    ("io.vertx.", "Vert.x"),
    ("io.micrometer.", "Micrometer"),
    ("com.fasterxml.jackson.", "Jackson"),
    ("java.util.regex.", "regular expressions"),
    ("java.text.", "java.text (DecimalFormat...)"),
    ("org.yizhan.", "Yizhan"),
]


def frame_name(f):
    m = f.get("method", {})
    t = m.get("type", {}).get("name", "?")
    return t.replace("/", ".") + "." + m.get("name", "?")


def group_of(frames):
    for f in frames:
        name = frame_name(f)
        for prefix, g in GROUPS:
            if name.startswith(prefix):
                return g
    return "JDK / other"


def main():
    data = json.load(open(sys.argv[1]))
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    events = data["recording"]["events"]
    tops, groups, project = Counter(), Counter(), Counter()
    for e in events:
        frames = e["values"].get("stackTrace", {}).get("frames", [])
        if not frames:
            continue
        tops[frame_name(frames[0])] += 1
        groups[group_of(frames)] += 1
        seen = set()
        for f in frames:
            n = frame_name(f)
            if n.startswith("org.yizhan.") and n not in seen:
                seen.add(n)
                project[n] += 1
    n = sum(tops.values())
    print(f"{n} CPU samples")
    print("\n| group (first known frame from the top) | share |\n|---|---|")
    for g, c in groups.most_common():
        print(f"| {g} | {c * 100.0 / n:.1f} % |")
    print(f"\n| top frame | share |\n|---|---|")
    for f, c in tops.most_common(top):
        print(f"| `{f}` | {c * 100.0 / n:.1f} % |")
    print(f"\n| project frame anywhere on the stack | share |\n|---|---|")
    for f, c in project.most_common(top):
        print(f"| `{f}` | {c * 100.0 / n:.1f} % |")


if __name__ == "__main__":
    main()
