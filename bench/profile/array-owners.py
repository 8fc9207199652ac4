#!/usr/bin/env python3
"""Who holds the arrays of a heap dump: bytes of Object[], byte[], int[], long[] and double[] arrays by the class of an object that
references them (the first referrer found; a static field shows as "static field of" its class), for
bench/RESULTS.md's memory per station.

    jcmd <pid> GC.heap_dump -all=false /tmp/hub.hprof      # live objects only
    bench/profile/array-owners.py /tmp/hub.hprof [top] [class]

With a class name, it also prints who holds the instances of that class (by count).

Reads HPROF 1.0.2 with 8-byte ids (a 64-bit JVM). Only the heap dump records it needs are decoded. Object[] sizes
are the JVM's with compressed references (4 bytes a slot, as on heaps under 32 GB); instance sizes are HPROF's
field bytes plus a 16-byte header, so instances with references are overstated somewhat.
"""
import mmap
import struct
import sys
from collections import Counter, defaultdict

BASIC_SIZE = {2: 8, 4: 1, 5: 2, 6: 4, 7: 8, 8: 1, 9: 2, 10: 4, 11: 8}  # object, boolean, char, float, double, byte...
PRIMITIVE_ARRAYS = {8: 'byte[]', 10: 'int[]', 11: 'long[]', 7: 'double[]'}


def main(path, top, wanted=None):
    with open(path, 'rb') as f:
        m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    end = m.find(b'\0')
    pos = end + 1
    id_size, = struct.unpack_from('>I', m, pos)
    assert id_size == 8, 'only 8-byte ids are read'
    pos += 12
    strings = {}
    class_name = {}
    class_fields = {}   # class id -> (super id, [field types])
    instances = []      # (offset of field bytes, length, class id)
    arrays = {}         # array id -> (kind, bytes)
    statics = []        # (class id, object id) of static reference fields
    size = len(m)
    while pos < size:
        tag = m[pos]
        length, = struct.unpack_from('>I', m, pos + 5)
        body = pos + 9
        if tag == 0x01:
            sid, = struct.unpack_from('>Q', m, body)
            strings[sid] = m[body + 8:body + length].decode('utf-8', 'replace')
        elif tag == 0x02:
            _, cid, _, nid = struct.unpack_from('>IQIQ', m, body)
            class_name[cid] = nid
        elif tag in (0x0C, 0x1C):
            p = body
            stop = body + length
            while p < stop:
                sub = m[p]
                p += 1
                if sub == 0xFF:
                    p += 8
                elif sub in (0x01, 0x02, 0x03):
                    p += 16
                elif sub in (0x04, 0x06, 0x07, 0x0E):
                    p += 12 if sub in (0x04, 0x06) else 8
                elif sub == 0x05:
                    p += 8
                elif sub == 0x08:
                    p += 16
                elif sub == 0x20:
                    cid, = struct.unpack_from('>Q', m, p)
                    sup, = struct.unpack_from('>Q', m, p + 12)
                    p += 8 + 4 + 8 * 6 + 4
                    cp, = struct.unpack_from('>H', m, p)
                    p += 2
                    for _ in range(cp):
                        t = m[p + 2]
                        p += 3 + BASIC_SIZE[t]
                    sc, = struct.unpack_from('>H', m, p)
                    p += 2
                    for _ in range(sc):
                        t = m[p + 8]
                        if t == 2:
                            statics.append((cid, struct.unpack_from('>Q', m, p + 9)[0]))
                        p += 9 + BASIC_SIZE[t]
                    ic, = struct.unpack_from('>H', m, p)
                    p += 2
                    types = []
                    for _ in range(ic):
                        types.append(m[p + 8])
                        p += 9
                    class_fields[cid] = (sup, types)
                elif sub == 0x21:
                    oid, = struct.unpack_from('>Q', m, p)
                    cid, n = struct.unpack_from('>QI', m, p + 12)
                    instances.append((oid, p + 24, n, cid))
                    p += 24 + n
                elif sub == 0x22:
                    oid, = struct.unpack_from('>Q', m, p)
                    n, = struct.unpack_from('>I', m, p + 12)
                    # the JVM's own size with compressed references (heaps under 32 GB): 4 bytes a slot
                    arrays[oid] = ('Object[]', 16 + 4 * n)
                    refs_at = p + 24
                    instances.append((oid, refs_at, -n, 0))
                    p += 24 + 8 * n
                elif sub == 0x23:
                    oid, = struct.unpack_from('>Q', m, p)
                    n = struct.unpack_from('>I', m, p + 12)[0]
                    t = m[p + 16]
                    kind = PRIMITIVE_ARRAYS.get(t)
                    if kind is not None:
                        arrays[oid] = (kind, 16 + n * BASIC_SIZE[t])
                    p += 17 + n * BASIC_SIZE[t]
                else:
                    raise ValueError('unknown heap dump sub-record 0x%x at %d' % (sub, p - 1))
        pos = body + length

    def name(cid):
        return strings.get(class_name.get(cid), '?').replace('/', '.')

    def layout(cid):
        types = []
        while cid in class_fields:
            sup, t = class_fields[cid]
            types.extend(t)
            cid = sup
        return types

    wanted_ids = set()
    if wanted:
        wanted_ids = {oid for oid, _, n, cid in instances if n >= 0 and name(cid) == wanted}
    wanted_holders = Counter()
    layouts = {}
    owner_bytes = defaultdict(Counter)
    seen = set()
    for oid, at, n, cid in instances:
        if n < 0:
            refs = struct.unpack_from('>%dQ' % -n, m, at)
            holder = 'Object[] (nested)'
        else:
            if cid not in layouts:
                layouts[cid] = layout(cid)
            refs = []
            p = at
            for t in layouts[cid]:
                if t == 2:
                    refs.append(struct.unpack_from('>Q', m, p)[0])
                p += BASIC_SIZE[t]
            holder = name(cid)
        for r in refs:
            if r in wanted_ids:
                wanted_holders[holder] += 1
            a = arrays.get(r)
            if a is not None and r not in seen:
                seen.add(r)
                owner_bytes[a[0]][holder] += a[1]
    for cid, r in statics:
        a = arrays.get(r)
        if a is not None and r not in seen:
            seen.add(r)
            owner_bytes[a[0]]['static field of ' + name(cid)] += a[1]
    shallow = Counter()
    for oid, at, n, cid in instances:
        if n >= 0:
            shallow[name(cid)] += 16 + n
    print('instances, shallow size:\n| class | MB |\n|---|---:|')
    for c, b in shallow.most_common(top):
        print('| `%s` | %.2f |' % (c, b / 1e6))
    for kind in ('Object[]', 'byte[]', 'int[]', 'long[]', 'double[]'):
        print('\n%s: %.1f MB in all' % (kind, sum(s for k, s in arrays.values() if k == kind) / 1e6))
        print('| held by | MB |\n|---|---:|')
        for holder, b in owner_bytes[kind].most_common(top):
            print('| `%s` | %.2f |' % (holder, b / 1e6))


    if wanted:
        print('\n%d instances of %s, held by:\n| held by | references |\n|---|---:|' % (len(wanted_ids), wanted))
        for holder, n in wanted_holders.most_common(top):
            print('| `%s` | %d |' % (holder, n))


if __name__ == '__main__':
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20, sys.argv[3] if len(sys.argv) > 3 else None)
