import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyzeBuffer } from './analyze.js';
import { createCaptureParser } from './read/capture-parser.js';
import { Scenario, tcpPacket, udpPacket } from './testing/scenario.js';
import { healthyTcp } from './testing/conversations.js';
import { ipv6, udp } from './testing/build-packet.js';
import { writePcapng } from './testing/write-pcap.js';

/** A capture with a bit of everything the decoders know. */
function sample(): Scenario {
  const s = new Scenario();
  healthyTcp(s, '10.244.1.5', 40000, '10.96.0.1', 443);
  s.at(1).dns('10.244.1.5', 45000, '10.96.0.10', 53, { id: 1, qname: 'a.b.svc.cluster.local', qtype: 1 });
  s.at(1.001).dns('10.96.0.10', 53, '10.244.1.5', 45000, {
    id: 1,
    qname: 'a.b.svc.cluster.local',
    qtype: 1,
    response: true,
    answers: 1,
  });
  s.at(2).icmp('10.0.0.254', '10.244.1.5', 3, 4, tcpPacket('10.244.1.5', 1, '10.0.0.9', 443, '.'), 1450);
  s.at(2.1).icmp('10.0.0.9', '10.244.1.5', 3, 3, udpPacket('10.244.1.5', 2, '10.0.0.9', 53));
  s.at(3).vxlanTcp('192.168.0.1', '192.168.0.2', 8472, 1, '10.244.1.5', 33000, '10.244.2.7', 80, 'S', {
    seq: 1,
  });
  s.at(4).udp('fd00::1', 546, 'ff02::1:2', 547, new Uint8Array(12));
  return s;
}

function readChunks(data: Uint8Array, cuts: number[], text = false) {
  let packets = 0;
  const parser = createCaptureParser(() => packets++, { text });
  let at = 0;
  for (const c of [...cuts.map((x) => x % (data.length + 1)).sort((a, b) => a - b), data.length]) {
    parser.push(data.subarray(at, Math.max(at, c)));
    at = Math.max(at, c);
  }
  return { packets, summary: parser.end() };
}

const PCAP_HEADS = [
  Uint8Array.of(0xd4, 0xc3, 0xb2, 0xa1),
  Uint8Array.of(0xa1, 0xb2, 0x3c, 0x4d),
  Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a),
  new Uint8Array(0),
];

test('fuzz: random bytes (behind each magic) never throw; packets bounded by the input size', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...PCAP_HEADS),
      fc.uint8Array({ maxLength: 3000 }),
      fc.array(fc.nat(), { maxLength: 6 }),
      (head, body, cuts) => {
        const data = new Uint8Array([...head, ...body]);
        const { packets, summary } = readChunks(data, cuts);
        assert.ok(packets <= data.length / 12 + 1);
        for (const d of summary.diagnostics) assert.ok((d.offset ?? 0) <= data.length);
        analyzeBuffer(data);
      },
    ),
    { numRuns: 400 },
  );
});

test('fuzz: mutated and truncated valid pcap/pcapng files never throw; diagnostics point inside the file', () => {
  const s = sample();
  const files = [
    s.pcap(),
    s.pcap({ nano: true, bigEndian: true }),
    s.pcapng(),
    writePcapng(s.ordered(), {
      interfaces: [{ linkType: 1, name: 'eth0', tsresol: 9 }],
      bigEndian: true,
      extraBlocks: true,
    }),
  ];
  fc.assert(
    fc.property(
      fc.constantFrom(...files),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
      fc.option(fc.nat()),
      fc.array(fc.nat(), { maxLength: 4 }),
      (file, flips, cut, cuts) => {
        const data = Buffer.from(file);
        for (const [at, v] of flips) data[at % data.length] = v;
        const bytes = cut === null ? data : data.subarray(0, cut % (data.length + 1));
        const { packets, summary } = readChunks(bytes, cuts);
        // a flipped block type can turn an extra (unknown) block into a packet block: bound by size
        assert.ok(packets <= bytes.length / 12 + 1);
        for (const d of summary.diagnostics) assert.ok((d.offset ?? 0) <= bytes.length, `${d.message}`);
        const r = analyzeBuffer(bytes);
        assert.ok(r.findings.length < 50);
      },
    ),
    { numRuns: 600 },
  );
});

test('fuzz: decoders survive hostile headers (IPv6 extension chains, ICMP quotes, DNS names)', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 0, maxLength: 200 }),
      fc.constantFrom(0, 6, 17, 43, 44, 51, 58, 60),
      (payload, next) => {
        const s = new Scenario('raw');
        s.frames.push({ ts: 1, data: ipv6(payload, { src: '::1', dst: '::2', next }) });
        s.frames.push({ ts: 2, data: udpPacket('1.1.1.1', 53, '2.2.2.2', 4000, payload) });
        s.frames.push({ ts: 3, data: ipv6(udp(8472, 8472, payload), { src: '::1', dst: '::2', next: 17 }) });
        const r = analyzeBuffer(s.pcap());
        assert.equal(r.packets, 3);
      },
    ),
    { numRuns: 400 },
  );
});

test('fuzz: tcpdump text parser takes any text', () => {
  const words = [
    'IP',
    'IP6',
    '>',
    ':',
    'Flags',
    '[S.],',
    'seq',
    '1:2,',
    'ack',
    'ICMP',
    'unreachable',
    'A?',
    '1/0/0',
    '(',
    ')',
    '12:00:00.1',
    '10.0.0.1.80',
    'podA.http',
    '\n',
    '    ',
    '\t',
    'In',
    'vlan 1, p 0,',
    'length 5',
  ];
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.constantFrom(...words), fc.string({ maxLength: 8 })), { maxLength: 60 }),
      fc.array(fc.nat(), { maxLength: 4 }),
      (parts, cuts) => {
        const data = Buffer.from(parts.join(' '));
        const { packets } = readChunks(data, cuts, true);
        assert.ok(packets <= data.length);
        analyzeBuffer(data, { text: true });
      },
    ),
    { numRuns: 400 },
  );
});
