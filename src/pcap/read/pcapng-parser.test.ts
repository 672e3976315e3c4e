import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAll } from '../testing/read-all.js';
import { writePcapng } from '../testing/write-pcap.js';
import { eth, ipv4, ipv6, sll2, tcp } from '../testing/build-packet.js';
import { splitTimestamp } from './pcapng-time.js';

const T = 1_700_000_000;
const seg = (sport: number) => tcp({ sport, dport: 443, flags: 'S', seq: 7 });
const v4 = (sport: number) => ipv4(seg(sport), { src: '192.168.1.10', dst: '192.168.1.20', proto: 6 });

for (const bigEndian of [false, true]) {
  test(`pcapng ${bigEndian ? 'big' : 'little'}-endian: several interfaces with their link types, names and resolutions`, () => {
    const file = writePcapng(
      [
        { ts: T + 0.25, data: eth(v4(1)), iface: 0, epbFlags: 1 },
        { ts: T, exact: { sec: T + 1, nsec: 123456789 }, data: v4(2), iface: 1 },
        { ts: T + 2.5, data: sll2(v4(3), 0x0800, 9, 4), iface: 2, epbFlags: 2 },
        { ts: T + 3, data: ipv6(seg(4), { src: '2001:db8::1', dst: '2001:db8::2', next: 6 }), iface: 3 },
      ],
      {
        bigEndian,
        interfaces: [
          { linkType: 1, name: 'eth0' },
          { linkType: 101, name: 'tun0', tsresol: 9 },
          { linkType: 276, name: 'any', tsresol: 0x80 | 20 },
          { linkType: 229, tsoffset: 1000 },
        ],
        extraBlocks: true,
      },
    );
    const { packets, summary } = readAll(file);
    assert.equal(summary.format, 'pcapng');
    assert.deepEqual(summary.linkTypes, [1, 101, 276, 229]);
    assert.deepEqual(summary.diagnostics, []);
    assert.deepEqual(
      packets.map((p) => [p.n, p.sport, p.iface, p.ifName]),
      [
        [1, 1, 0, 'eth0'],
        [2, 2, 1, 'tun0'],
        [3, 3, 9, 'any'], // SLL2 gives the kernel ifindex
        [4, 4, 3, ''],
      ],
    );
    assert.equal(packets[0]!.dir, 'in');
    assert.equal(packets[0]!.nsec, 250000000);
    assert.deepEqual([packets[1]!.sec, packets[1]!.nsec], [T + 1, 123456789]);
    assert.equal(packets[2]!.dir, 'out'); // epb_flags outbound (SLL2 says outgoing too)
    assert.equal(packets[2]!.sec, T + 2);
    assert.ok(Math.abs(packets[2]!.nsec - 500000000) < 2, `2^-20 resolution: ${packets[2]!.nsec}`);
    assert.equal(packets[3]!.sec, T + 3); // if_tsoffset added back
    assert.equal(packets[3]!.src, '2001:db8::1');
  });
}

test('simple packet blocks (no timestamp) and obsolete packet blocks', () => {
  const frames = [1, 2, 3].map((i) => ({ ts: T + i, data: eth(v4(i)) }));
  const spb = readAll(writePcapng(frames, { interfaces: [{ linkType: 1 }], block: 'spb' }));
  assert.deepEqual(
    spb.packets.map((p) => p.sport),
    [1, 2, 3],
  );
  const pb = readAll(writePcapng(frames, { interfaces: [{ linkType: 1 }], block: 'pb' }));
  assert.deepEqual(
    pb.packets.map((p) => [p.sport, p.sec]),
    [
      [1, T + 1],
      [2, T + 2],
      [3, T + 3],
    ],
  );
});

test('a second section restarts interface numbering and may change byte order', () => {
  const a = writePcapng([{ ts: T, data: eth(v4(1)) }], { interfaces: [{ linkType: 1, name: 'a' }] });
  const b = writePcapng([{ ts: T + 1, data: v4(2) }], {
    interfaces: [{ linkType: 101, name: 'b' }],
    bigEndian: true,
  });
  const { packets, summary } = readAll(Buffer.concat([a, b]));
  assert.deepEqual(summary.diagnostics, []);
  assert.deepEqual(
    packets.map((p) => [p.sport, p.ifName, p.iface, p.linkType]),
    [
      [1, 'a', 0, 1],
      [2, 'b', 1, 101],
    ],
  );
});

test('chunked reading equals whole reading', () => {
  const frames = Array.from({ length: 12 }, (_, i) => ({
    ts: T + i / 10,
    data: eth(v4(100 + i)),
    epbFlags: i % 3,
  }));
  const file = writePcapng(frames, { interfaces: [{ linkType: 1, name: 'eth0' }], extraBlocks: true });
  const whole = readAll(file).packets.map((p) => [p.n, p.sport, p.ts, p.dir]);
  for (const chunk of [1, 5, 64])
    assert.deepEqual(
      readAll(file, { chunk }).packets.map((p) => [p.n, p.sport, p.ts, p.dir]),
      whole,
    );
});

test('truncated pcapng: offset and block number of the cut block, earlier packets kept', () => {
  const frames = [1, 2, 3].map((i) => ({ ts: T + i, data: eth(v4(i)) }));
  const file = writePcapng(frames, { interfaces: [{ linkType: 1 }] });
  const cut = file.subarray(0, file.length - 10);
  const { packets, summary } = readAll(cut);
  assert.equal(packets.length, 2);
  const d = summary.diagnostics[0]!;
  assert.equal(d.code, 'UNEXPECTED_EOF');
  const epbLen = 32 + ((frames[0]!.data.length + 3) & ~3);
  assert.equal(d.offset, file.length - epbLen);
  assert.equal(d.record, 5); // SHB, IDB, EPB, EPB, EPB
});

test('corrupt pcapng: trailing length mismatch and impossible lengths are diagnosed with offsets', () => {
  const frames = [1, 2].map((i) => ({ ts: T + i, data: eth(v4(i)) }));
  const file = Buffer.from(writePcapng(frames, { interfaces: [{ linkType: 1 }] }));
  const epbLen = 32 + ((frames[0]!.data.length + 3) & ~3);
  const second = file.length - epbLen;
  const bad = Buffer.from(file);
  bad.writeUInt32LE(epbLen + 4, second + epbLen - 4); // trailing length of block 4
  let r = readAll(bad);
  assert.equal(r.packets.length, 1);
  assert.equal(r.summary.diagnostics[0]!.code, 'BAD_VALUE');
  assert.equal(r.summary.diagnostics[0]!.offset, second);
  assert.equal(r.summary.diagnostics[0]!.record, 4);
  const bad2 = Buffer.from(file);
  bad2.writeUInt32LE(7, second + 4); // not a multiple of 4
  r = readAll(bad2);
  assert.equal(r.packets.length, 1);
  assert.equal(r.summary.diagnostics[0]!.offset, second);
  const bad3 = Buffer.from(file);
  bad3.writeUInt32LE(0x7fffffff, second + 20); // captured length overruns the block
  r = readAll(bad3);
  assert.equal(r.packets.length, 1);
  assert.equal(r.summary.diagnostics[0]!.code, 'BAD_VALUE');
});

test('packet on an undeclared interface: counted, warned once, not decoded', () => {
  const file = writePcapng(
    [
      { ts: T, data: eth(v4(1)), iface: 5 },
      { ts: T, data: eth(v4(2)), iface: 5 },
    ],
    { interfaces: [{ linkType: 1 }] },
  );
  const { packets, summary } = readAll(file);
  assert.equal(packets.length, 2);
  assert.equal(packets[0]!.ipv, 0);
  assert.equal(summary.diagnostics.length, 1);
  assert.equal(summary.diagnostics[0]!.severity, 'warning');
});

test('64-bit timestamps split exactly at every resolution', () => {
  const out = [0, 0];
  const ns = 1_700_000_000_123_456_789n;
  splitTimestamp(Number(ns >> 32n), Number(ns & 0xffffffffn), { perSecond: 1e9, offset: 0 }, out);
  assert.deepEqual(out, [1_700_000_000, 123_456_789]);
  const us = 1_700_000_000_654_321n;
  splitTimestamp(Number(us >> 32n), Number(us & 0xffffffffn), { perSecond: 1e6, offset: 5 }, out);
  assert.deepEqual(out, [1_700_000_005, 654_321_000]);
});
