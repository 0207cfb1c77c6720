#!/usr/bin/env python3
# Derive the streams that test the reading rules from the golden v2 stream:
# v2-unknown-optional.pvstate (loads: unknown optional records are skipped)
# and bad/*.pvstate with bad/expected.tsv (each refused, with the reason).
#
# This is a second, independent implementation of schemas/migration-stream.md
# (record walker and CRC32C) in Python.  Run from this directory; the output
# is committed, so the tests never run it.
import struct

OPT = 0x80000000
NAMES = {0: 'END', 1: 'VCPU', 2: 'ABI', 3: 'MAGIC_PAGE', 4: 'DELIVERY',
         0x80000005: 'DEFER_BOUND'}


def crc32c(data):
    crc = 0xffffffff
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82f63b78 if crc & 1 else 0)
    return crc ^ 0xffffffff


def pad8(n):
    return (n + 7) & ~7


class Stream:
    """Header fields plus vCPUs as lists of [type, body] sub-records."""

    def __init__(self, raw):
        self.e = '<' if raw[8] == 1 else '>'
        self.head = bytearray(raw[:24])
        self.top = []   # [type, body] where a VCPU body is (id, [records])
        off = 24
        while True:
            t, n = struct.unpack_from(self.e + 'II', raw, off)
            body = raw[off + 8:off + 8 + n]
            off += 8 + pad8(n)
            if t == 0:
                break
            if t == 1:
                vid = struct.unpack_from(self.e + 'I', body)[0]
                subs, k = [], 8
                while k < n:
                    st, sn = struct.unpack_from(self.e + 'II', body, k)
                    subs.append([st, bytearray(body[k + 8:k + 8 + sn])])
                    k += 8 + pad8(sn)
                self.top.append([1, (vid, subs)])
            else:
                self.top.append([t, bytearray(body)])

    def rec(self, t, body, length=None):
        n = len(body) if length is None else length
        return struct.pack(self.e + 'II', t, n) + bytes(body) + \
            bytes(pad8(len(body)) - len(body))

    def vcpu_body(self, vid, subs):
        return struct.pack(self.e + 'II', vid, 0) + \
            b''.join(self.rec(t, b) for t, b in subs)

    def build(self, lengths=None, crc=True):
        """lengths: {(vcpu index or None, record index): forced length}."""
        lengths = lengths or {}
        out = bytearray(self.head)
        self.offsets = {}
        vi = 0
        for i, (t, body) in enumerate(self.top):
            self.offsets[(None, i)] = len(out)
            if t != 1:
                out += self.rec(t, body, lengths.get((None, i)))
                continue
            vid, subs = body
            vb = bytearray(struct.pack(self.e + 'II', vid, 0))
            for k, (st, sb) in enumerate(subs):
                self.offsets[(vi, k)] = len(out) + 8 + len(vb)
                vb += self.rec(st, sb, lengths.get((vi, k)))
            out += self.rec(1, vb, lengths.get((None, i)))
            vi += 1
        self.offsets['END'] = len(out)
        out += struct.pack(self.e + 'II', 0, 8)
        out += struct.pack(self.e + 'II', crc32c(out) if crc else 0, 0)
        return out


def load():
    return Stream(open('v2-be.pvstate', 'rb').read())


def sub_index(s, vcpu, t):
    return [r[0] for r in s.top[vcpu][1][1]].index(t)


golden = open('v2-be.pvstate', 'rb').read()
assert load().build() == golden, 'walker does not reproduce the golden'

# Loads: unknown optional records inside vCPU 1 and at the top level.
s = load()
s.top[1][1][1].insert(1, [OPT | 0x42, bytearray(b'future!')])
s.top.append([OPT | 0x43, bytearray(12)])
open('v2-unknown-optional.pvstate', 'wb').write(s.build())

# Loads as v2, but does not fit v1: vCPU 1 negotiated ABI 1.1.
s = load()
struct.pack_into('>H', s.top[1][1][1][sub_index(s, 1, 2)][1], 2, 1)
struct.pack_into('>H', s.top[1][1][1][sub_index(s, 1, 3)][1], 6, 1)
open('v2-abi-1.1.pvstate', 'wb').write(s.build())

bad = []


def emit(name, data, err, reason):
    open('bad/%s.pvstate' % name, 'wb').write(data)
    bad.append('%s.pvstate\t%s\t%s' % (name, err, reason))


s = load()
whole = s.build()
page1 = s.offsets[(1, sub_index(s, 1, 3))]
vcpu1 = s.offsets[(None, 1)]
emit('truncated', whole[:page1 + 100], 'truncated',
     'record VCPU (0x00000001) at offset 0x%x: %d bytes run past the end '
     'of the stream (%d bytes)'
     % (vcpu1, struct.unpack_from('>I', whole, vcpu1 + 4)[0], page1 + 100))

emit('oversized-record', s.build({(None, 0): 0xfffffff0}), 'truncated',
     'record VCPU (0x00000001) at offset 0x18: 4294967280 bytes run past '
     'the end of the stream')

# DELIVERY of vCPU 0 claims more bytes than its VCPU container holds.
s = load()
d = sub_index(s, 0, 4)
emit('longer-than-container', s.build({(0, d): 4096}), 'truncated',
     'record DELIVERY (0x00000004) of vCPU 0 at offset 0x%x: 4096 bytes '
     'run past its VCPU container' % s.offsets[(0, d)])

# VCPU 0's length swallows the header of VCPU 1: the two overlap.
s = load()
n0 = struct.unpack_from('>I', whole, 0x18 + 4)[0]
raw = s.build({(None, 0): n0 + 8})
emit('overlapping-vcpus', raw, 'truncated',
     'record VCPU (0x00000001) of vCPU 0 at offset 0x%x' % s.offsets[(None, 1)])

raw = bytearray(whole)
raw[page1 + 8 + 0x100] ^= 0x01
emit('bad-checksum', raw, 'bad-checksum',
     'record END (0x00000000) at offset 0x%x: checksum 0x%08x, but'
     % (s.offsets['END'], crc32c(whole[:s.offsets['END'] + 8])))

s = load()
s.top[1][1][1].insert(2, [0x42, bytearray(8)])
raw = s.build()
emit('unknown-mandatory', raw, 'unsupported',
     'record 0x00000042 of vCPU 1 at offset 0x%x is mandatory and unknown'
     % s.offsets[(1, 2)])

s = load()
struct.pack_into('>I', s.head, 12, 3)
emit('wrong-version', s.build(), 'bad-version',
     'header at offset 0xc: stream version 3; this reader takes 1 to 2')

s = load()
struct.pack_into('>I', s.head, 12, 0)
emit('version-zero', s.build(), 'bad-version',
     'header at offset 0xc: stream version 0;')

# A v1 stream cannot carry ABI 1.1.
s = Stream(open('v1-le.pvstate', 'rb').read())
a = sub_index(s, 0, 2)
struct.pack_into('<H', s.top[0][1][1][a][1], 2, 1)
raw = s.build()
emit('v1-abi-1.1', raw, 'bad-version',
     'record ABI (0x00000002) of vCPU 0 at offset 0x%x: ABI 1.1 in a v1 stream'
     % s.offsets[(0, a)])

s = load()
del s.top[1][1][1][sub_index(s, 1, 4)]
emit('missing-delivery', s.build(), 'not-found',
     'vCPU 1 (record VCPU at offset 0x%x) has no DELIVERY record'
     % s.offsets[(None, 1)])

s = load()
s.top[0][1][1].insert(1, list(s.top[0][1][1][0]))
raw = s.build()
emit('duplicate-abi', raw, 'malformed',
     'record ABI (0x00000002) of vCPU 0 at offset 0x%x: a second one'
     % s.offsets[(0, 1)])

s = load()
struct.pack_into('>I', s.head, 16, 3)
raw = s.build()
emit('missing-vcpu', raw, 'not-found',
     'record END (0x00000000) at offset 0x%x: the header promises 3 vCPUs, '
     'the stream has 2' % s.offsets['END'])

emit('trailing-bytes', whole + bytes(8), 'malformed',
     '8 bytes after the END record at offset 0x%x' % s.offsets['END'])
emit('bad-magic', b'\x89PVSTATX' + whole[8:], 'bad-magic',
     'not a pvabi state stream')
emit('empty', b'', 'truncated',
     'stream of 0 bytes is shorter than its 24-byte header')

# The page's zero tail must be left out: one encoding per stream.
s = load()
p0 = sub_index(s, 0, 3)
s.top[0][1][1][p0][1] += bytes(8)
emit('page-zero-tail', s.build(), 'malformed',
     'record MAGIC_PAGE (0x00000003) of vCPU 0 at offset 0x%x: length %d '
     'is not whole 8-byte words ending in a non-zero one'
     % (s.offsets[(0, p0)], len(s.top[0][1][1][p0][1])))

s = load()
s.top[0][1][1][d][1][0:4] = struct.pack('>I', 0x80000003)
emit('reserved-flags', s.build(), 'reserved-bits',
     'record DELIVERY (0x00000004) of vCPU 0 at offset 0x%x: unknown flags 0x80000000'
     % s.offsets[(0, d)])

with open('bad/expected.tsv', 'w') as f:
    f.write('# file\terror name\treason (a substring of the one line)\n')
    f.write('\n'.join(bad) + '\n')
