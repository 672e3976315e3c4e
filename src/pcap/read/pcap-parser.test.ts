import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAll } from '../testing/read-all.js';
import { writePcap } from '../testing/write-pcap.js';
import { eth, ipv4, ipv6, sll, sll2, tcp, udp } from '../testing/build-packet.js';

const T = 1_700_000_000;
const syn = () => tcp({ sport: 40000, dport: 8080, flags: 'S', seq: 1000, mss: 1460, wscale: 7 });
const v4 = (seg = syn()) => ipv4(seg, { src: '10.224.1.34', dst: '10.233.53.172', proto: 6 });
const v6 = () => ipv6(syn(), { src: 'fd00::1', dst: 'fd00::2', next: 6 });

function assertSyn(p: {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  tcpFlags: number;
  seq: number;
  mss: number;
  wscale: number;
}) {
  assert.equal(p.src, '10.224.1.34');
  assert.equal(p.dst, '10.233.53.172');
  assert.equal(p.sport, 40000);
  assert.equal(p.dport, 8080);
  assert.equal(p.tcpFlags, 2);
  assert.equal(p.seq, 1000);
  assert.equal(p.mss, 1460);
  assert.equal(p.wscale, 7);
}

for (const bigEndian of [false, true]) {
  for (const nano of [false, true]) {
    test(`pcap ${bigEndian ? 'big' : 'little'}-endian ${nano ? 'nanosecond' : 'microsecond'}: Ethernet TCP, timestamps exact`, () => {
      const frames: { ts: number; data: Uint8Array; exact?: { sec: number; nsec: number } }[] = [
        { ts: T + 0.123456, data: eth(v4()) },
        { ts: T + 1.5, data: eth(v4()) },
      ];
      if (nano) Object.assign(frames[0]!, { exact: { sec: T, nsec: 123456789 } });
      const { packets, summary } = readAll(writePcap(frames, { bigEndian, nano, linkType: 1 }));
      assert.equal(summary.format, nano ? 'pcap-nsec' : 'pcap');
      assert.deepEqual(summary.linkTypes, [1]);
      assert.equal(summary.diagnostics.length, 0);
      assert.equal(packets.length, 2);
      assert.equal(packets[0]!.n, 1);
      assert.equal(packets[1]!.n, 2);
      assert.equal(packets[0]!.sec, T);
      assert.equal(packets[0]!.nsec, nano ? 123456789 : 123456000);
      assert.equal(packets[1]!.nsec, 500000000);
      assertSyn(packets[0]!);
    });
  }
}

test('pcap link types: SLL, SLL2 (ifindex, direction), raw 101/228/229, BSD loopback', () => {
  const cases: [number, Uint8Array, Partial<Record<'iface' | 'dir' | 'ipv', unknown>>][] = [
    [113, sll(v4(), 0x0800, 4), { dir: 'out', ipv: 4 }],
    [276, sll2(v4(), 0x0800, 17, 0), { iface: 17, dir: 'host', ipv: 4 }],
    [276, sll2(v6(), 0x86dd, 3, 4), { iface: 3, dir: 'out', ipv: 6 }],
    [101, v4(), { ipv: 4 }],
    [101, v6(), { ipv: 6 }],
    [228, v4(), { ipv: 4 }],
    [229, v6(), { ipv: 6 }],
    [0, Uint8Array.of(2, 0, 0, 0, ...v4()), { ipv: 4 }],
  ];
  for (const [linkType, data, want] of cases) {
    const { packets, summary } = readAll(writePcap([{ ts: T, data }], { linkType }));
    assert.equal(summary.diagnostics.length, 0, `link type ${linkType}`);
    const p = packets[0]!;
    assert.equal(p.linkType, linkType);
    assert.equal(p.tcpFlags, 2, `link type ${linkType}`);
    assert.equal(p.sport, 40000);
    for (const [k, v] of Object.entries(want)) assert.equal(p[k as 'iface'], v, `link type ${linkType} ${k}`);
    if (p.ipv === 6) assert.equal(p.src, 'fd00::1');
  }
});

test('802.1Q and QinQ tags are stripped and recorded', () => {
  const one = eth(v4(), { vlans: [100] });
  const two = eth(v4(), { vlans: [10, 200] });
  const { packets } = readAll(
    writePcap([
      { ts: T, data: one },
      { ts: T, data: two },
    ]),
  );
  assert.deepEqual(packets[0]!.vlans, [100]);
  assert.deepEqual(packets[1]!.vlans, [10, 200]);
  assert.equal(packets[1]!.dport, 8080);
  assert.equal(packets[1]!.ethertype, 0x0800);
});

test('modified (Kuznetzov) pcap records are read', () => {
  const { packets, summary } = readAll(
    writePcap(
      [
        { ts: T, data: eth(v4()) },
        { ts: T + 1, data: eth(v4()) },
      ],
      { modified: true },
    ),
  );
  assert.equal(summary.format, 'pcap-modified');
  assert.equal(packets.length, 2);
  assertSyn(packets[1]!);
});

test('a snapped capture keeps the wire lengths (payload length from the IP header)', () => {
  const full = eth(v4(tcp({ sport: 1, dport: 2, flags: 'P.', seq: 5, ack: 6, payload: 1400 })));
  const { packets } = readAll(
    writePcap([{ ts: T, data: full.subarray(0, 96), origLen: full.length }], { snaplen: 96 }),
  );
  assert.equal(packets[0]!.caplen, 96);
  assert.equal(packets[0]!.len, full.length);
  assert.equal(packets[0]!.payloadLen, 1400);
});

test('reading in chunks of any size gives the same packets', () => {
  const frames = Array.from({ length: 20 }, (_, i) => ({
    ts: T + i,
    data: eth(v4(tcp({ sport: 1000 + i, dport: 80, flags: '.', seq: i, payload: i * 7 }))),
  }));
  const file = writePcap(frames);
  const whole = readAll(file).packets.map((p) => [p.n, p.sport, p.payloadLen, p.ts]);
  for (const chunk of [1, 3, 16, 17, 100]) {
    assert.deepEqual(
      readAll(file, { chunk }).packets.map((p) => [p.n, p.sport, p.payloadLen, p.ts]),
      whole,
      `chunk ${chunk}`,
    );
  }
});

test('truncated file: the cut record is diagnosed with its byte offset, earlier packets are kept', () => {
  const frames = [0, 1, 2].map((i) => ({ ts: T + i, data: eth(v4()) }));
  const file = writePcap(frames);
  const recLen = 16 + frames[0]!.data.length;
  const cut = file.subarray(0, 24 + 2 * recLen + 20); // third record: header + 4 bytes
  const { packets, summary } = readAll(cut);
  assert.equal(packets.length, 2);
  assert.equal(summary.diagnostics.length, 1);
  const d = summary.diagnostics[0]!;
  assert.equal(d.code, 'UNEXPECTED_EOF');
  assert.equal(d.offset, 24 + 2 * recLen);
  assert.equal(d.record, 3);
  assert.match(d.message, new RegExp(`byte offset ${24 + 2 * recLen}`));
});

test('corrupt record length: diagnosed at its offset, reading stops, earlier packets kept', () => {
  const frames = [0, 1, 2].map((i) => ({ ts: T + i, data: eth(v4()) }));
  const file = Buffer.from(writePcap(frames));
  const recLen = 16 + frames[0]!.data.length;
  file.writeUInt32LE(0x7fffffff, 24 + recLen + 8); // incl_len of record 2
  const { packets, summary } = readAll(file);
  assert.equal(packets.length, 1);
  assert.equal(summary.diagnostics[0]!.code, 'BAD_VALUE');
  assert.equal(summary.diagnostics[0]!.offset, 24 + recLen);
  assert.equal(summary.diagnostics[0]!.record, 2);
});

test('not a capture, empty, cut header', () => {
  assert.equal(
    readAll(Buffer.from([0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4])).summary.diagnostics[0]!.code,
    'WRONG_FORMAT',
  );
  assert.equal(readAll(new Uint8Array(0)).summary.diagnostics[0]!.code, 'EMPTY');
  const head = writePcap([]).subarray(0, 10);
  const d = readAll(head).summary.diagnostics[0]!;
  assert.equal(d.code, 'UNEXPECTED_EOF');
  assert.equal(d.offset, 0);
});

test('unknown link type: packets counted, not decoded, one unsupported diagnostic', () => {
  const { packets, summary } = readAll(writePcap([{ ts: T, data: v4() }], { linkType: 147 }));
  assert.equal(packets.length, 1);
  assert.equal(packets[0]!.ipv, 0);
  assert.equal(summary.diagnostics[0]!.code, 'UNSUPPORTED');
});

test('UDP inside IPv4 keeps ports and payload length', () => {
  const { packets } = readAll(
    writePcap([
      {
        ts: T,
        data: eth(ipv4(udp(5000, 6000, new Uint8Array(33)), { src: '1.2.3.4', dst: '5.6.7.8', proto: 17 })),
      },
    ]),
  );
  assert.equal(packets[0]!.proto, 17);
  assert.equal(packets[0]!.sport, 5000);
  assert.equal(packets[0]!.payloadLen, 33);
});

test('records longer than a read chunk (jumbo, GRO super-packets) are joined correctly', () => {
  const big = eth(v4(tcp({ sport: 7, dport: 8, flags: '.', seq: 1, payload: 150_000 })));
  const frames = [
    { ts: T, data: eth(v4()) },
    { ts: T + 1, data: big },
    { ts: T + 2, data: eth(v4()) },
  ];
  const file = writePcap(frames);
  for (const chunk of [1000, 40_000, 70_000, 100_000]) {
    const { packets, summary } = readAll(file, { chunk });
    assert.deepEqual(summary.diagnostics, [], `chunk ${chunk}`);
    assert.deepEqual(
      packets.map((p) => [p.sport, p.caplen]),
      [
        [40000, frames[0]!.data.length],
        [7, big.length],
        [40000, frames[2]!.data.length],
      ],
      `chunk ${chunk}`,
    );
  }
});
