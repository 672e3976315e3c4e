import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPacket } from './packet.js';
import { decodeFrame } from './link.js';
import { ipv6At } from './address.js';
import { decodeDns } from './dns.js';
import { dns, eth, icmp, ipv4, ipv6, ip6Bytes, tcp, udp, vxlan } from '../testing/build-packet.js';
import { tcpPacket, udpPacket } from '../testing/scenario.js';

function decode(frame: Uint8Array, linkType = 1) {
  const p = newPacket(1, 0, 0, linkType, frame.length, frame.length);
  decodeFrame(p, frame, 0, frame.length, linkType);
  return p;
}

test('IPv4 with options: header length honoured, options flagged', () => {
  const p = decode(
    eth(
      ipv4(tcp({ sport: 1, dport: 2, flags: 'S' }), {
        src: '1.1.1.1',
        dst: '2.2.2.2',
        proto: 6,
        options: [0x94, 4, 0, 0],
      }),
    ),
  );
  assert.equal(p.ipOptions, true);
  assert.equal(p.sport, 1);
  assert.equal(p.dport, 2);
});

test('IPv4 fragments: first fragment has ports, later fragments are flagged without transport', () => {
  const first = decode(
    eth(
      ipv4(udp(53, 5353, new Uint8Array(100)), {
        src: '1.1.1.1',
        dst: '2.2.2.2',
        proto: 17,
        mf: true,
        df: false,
        id: 77,
      }),
    ),
  );
  assert.equal(first.frag, true);
  assert.equal(first.moreFrags, true);
  assert.equal(first.sport, 53);
  assert.equal(first.ipId, 77);
  const later = decode(
    eth(
      ipv4(new Uint8Array(64), {
        src: '1.1.1.1',
        dst: '2.2.2.2',
        proto: 17,
        fragOffset: 1480,
        df: false,
        id: 77,
      }),
    ),
  );
  assert.equal(later.frag, true);
  assert.equal(later.fragOffset, 1480);
  assert.equal(later.sport, -1);
  assert.equal(later.proto, 17);
});

test('IPv6 extension headers are walked to the transport header', () => {
  const p = decode(
    eth(
      ipv6(tcp({ sport: 80, dport: 9, flags: 'S.' }), {
        src: 'fe80::1',
        dst: '2001:db8::a:b',
        next: 6,
        ext: [{ type: 0 }, { type: 43 }, { type: 60 }, { type: 51 }],
      }),
      { ethertype: 0x86dd },
    ),
  );
  assert.equal(p.ipv, 6);
  assert.equal(p.proto, 6);
  assert.equal(p.sport, 80);
  assert.equal(p.tcpFlags, 0x12);
  const frag = decode(
    eth(
      ipv6(udp(1, 2, new Uint8Array(8)), {
        src: '::1',
        dst: '::2',
        next: 17,
        ext: [{ type: 44, fragOffset: 0, mf: true }],
      }),
      { ethertype: 0x86dd },
    ),
  );
  assert.equal(frag.frag, true);
  assert.equal(frag.sport, 1);
  assert.equal(frag.ipId, 0x12345678);
  const later = decode(
    eth(
      ipv6(new Uint8Array(16), { src: '::1', dst: '::2', next: 17, ext: [{ type: 44, fragOffset: 1232 }] }),
      { ethertype: 0x86dd },
    ),
  );
  assert.equal(later.fragOffset, 1232);
  assert.equal(later.sport, -1);
});

test('TCP: flags, 32-bit sequence numbers, MSS and window scale from SYN options, payload length', () => {
  const p = decode(
    eth(
      ipv4(tcp({ sport: 45954, dport: 8080, flags: 'S', seq: 0xfffffff0, mss: 1410, wscale: 7 }), {
        src: '10.224.1.34',
        dst: '10.233.53.172',
        proto: 6,
      }),
    ),
  );
  assert.equal(p.seq, 0xfffffff0);
  assert.equal(p.mss, 1410);
  assert.equal(p.wscale, 7);
  const d = decode(
    eth(
      ipv4(tcp({ sport: 1, dport: 2, flags: 'FP.', seq: 5, ack: 0x80000001, payload: 300 }), {
        src: '1.1.1.1',
        dst: '2.2.2.2',
        proto: 6,
      }),
    ),
  );
  assert.equal(d.tcpFlags, 1 | 8 | 16);
  assert.equal(d.ack, 0x80000001);
  assert.equal(d.payloadLen, 300);
  assert.equal(d.mss, 0);
});

test('ICMP port unreachable quotes the original UDP header; frag-needed carries the MTU', () => {
  const quoted = udpPacket('10.0.0.1', 40000, '10.96.0.10', 53);
  const un = decode(
    eth(
      ipv4(icmp(3, 3, [0, 0, 0, 0], quoted.subarray(0, 28)), { src: '10.0.0.9', dst: '10.0.0.1', proto: 1 }),
    ),
  );
  assert.equal(un.icmpType, 3);
  assert.equal(un.icmpCode, 3);
  assert.deepEqual(un.inner, {
    ipv: 4,
    src: '10.0.0.1',
    dst: '10.96.0.10',
    proto: 17,
    sport: 40000,
    dport: 53,
    seq: -1,
  });
  const fn = decode(
    eth(
      ipv4(
        icmp(3, 4, [0, 0, 0x05, 0xaa], tcpPacket('10.0.0.1', 5000, '10.0.0.2', 443, '.', 99).subarray(0, 28)),
        { src: '10.0.0.254', dst: '10.0.0.1', proto: 1 },
      ),
    ),
  );
  assert.equal(fn.mtu, 1450);
  assert.equal(fn.inner?.seq, 99);
  assert.equal(fn.inner?.dport, 443);
});

test('ICMPv6 packet too big carries the MTU and the quoted IPv6 header', () => {
  const inner = ipv6(tcp({ sport: 7, dport: 8, flags: '.' }), {
    src: '2001:db8::1',
    dst: '2001:db8::2',
    next: 6,
  });
  const p = decode(
    eth(ipv6(icmp(2, 0, [0, 0, 5, 0], inner), { src: '2001:db8::fe', dst: '2001:db8::1', next: 58 }), {
      ethertype: 0x86dd,
    }),
  );
  assert.equal(p.proto, 58);
  assert.equal(p.icmpType, 2);
  assert.equal(p.mtu, 1280);
  assert.equal(p.inner?.dst, '2001:db8::2');
  assert.equal(p.inner?.dport, 8);
});

for (const port of [8472, 4789]) {
  test(`VXLAN on UDP ${port} is decapsulated: the record is the inner packet, outer headers kept`, () => {
    const inner = eth(
      ipv4(tcp({ sport: 33000, dport: 80, flags: 'S', seq: 1 }), {
        src: '10.244.1.5',
        dst: '10.244.2.7',
        proto: 6,
      }),
    );
    const p = decode(
      eth(ipv4(udp(51000, port, vxlan(1, inner)), { src: '192.168.0.1', dst: '192.168.0.2', proto: 17 })),
    );
    assert.equal(p.src, '10.244.1.5');
    assert.equal(p.dst, '10.244.2.7');
    assert.equal(p.proto, 6);
    assert.equal(p.dport, 80);
    assert.deepEqual(p.outer, { src: '192.168.0.1', dst: '192.168.0.2', sport: 51000, dport: port, vni: 1 });
  });
}

test('UDP to 8472 that is not VXLAN (I flag clear) stays UDP', () => {
  const p = decode(
    eth(ipv4(udp(1, 8472, new Uint8Array(40)), { src: '1.1.1.1', dst: '2.2.2.2', proto: 17 })),
  );
  assert.equal(p.proto, 17);
  assert.equal(p.outer, undefined);
});

test('DNS question and answer headers', () => {
  const q = decode(
    eth(
      ipv4(udp(40000, 53, dns({ id: 4660, qname: 'kubernetes.default.svc.cluster.local', qtype: 28 })), {
        src: '10.0.0.1',
        dst: '10.96.0.10',
        proto: 17,
      }),
    ),
  );
  assert.deepEqual(q.dns, {
    id: 4660,
    response: false,
    rcode: 0,
    qname: 'kubernetes.default.svc.cluster.local',
    qtype: 28,
    answers: 0,
  });
  const a = decode(
    eth(
      ipv4(
        udp(53, 40000, dns({ id: 4660, qname: 'X.Example', qtype: 1, response: true, answers: 1, rcode: 3 })),
        { src: '10.96.0.10', dst: '10.0.0.1', proto: 17 },
      ),
    ),
  );
  assert.equal(a.dns?.response, true);
  assert.equal(a.dns?.qname, 'x.example');
  assert.equal(a.dns?.rcode, 3);
  assert.equal(a.dns?.answers, 1);
});

test('DNS compression pointer loops are cut, never hang', () => {
  const msg = Uint8Array.of(0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1);
  const d = decodeDns(msg, 0, msg.length);
  assert.equal(d?.qname, '');
  assert.equal(d?.id, 1);
});

test('IPv6 text follows RFC 5952', () => {
  const at = (s: string) => ipv6At(Uint8Array.from(ip6Bytes(s)), 0);
  assert.equal(at('2001:db8:0:0:0:0:0:1'), '2001:db8::1');
  assert.equal(at('fe80:0:0:0:1:0:0:0'), 'fe80::1:0:0:0');
  assert.equal(at('::'), '::');
  assert.equal(at('1:0:1:0:1:0:1:0'), '1:0:1:0:1:0:1:0');
  assert.equal(at('::ffff:a00:1'), '::ffff:10.0.0.1');
});

test('headers cut by the snap length are flagged, never read past the end', () => {
  const full = eth(
    ipv4(tcp({ sport: 1, dport: 2, flags: 'S' }), { src: '1.1.1.1', dst: '2.2.2.2', proto: 6 }),
  );
  for (let n = 0; n < full.length; n++) {
    const p = decode(full.subarray(0, n));
    assert.ok(n >= 54 || p.truncated || p.ipv === 0, `cut at ${n}`);
  }
});
