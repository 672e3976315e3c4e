import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAll } from '../testing/read-all.js';
import { sharedDir } from '../testing/fixtures.js';
import { endpoint } from './tcpdump-text-parser.js';

const text = (s: string) => readAll(Buffer.from(s), { text: true });

/** The incident's three lines from the Chinese write-up (shared/seed), comments included. */
function seedLines(): string {
  const zh = readFileSync(
    join(sharedDir(import.meta.url), 'seed', 'incident-bridge-nf-call-iptables.zh.txt'),
    'utf8',
  );
  const lines = zh.split('\n');
  const start = lines.findIndex((l) => l.startsWith('# podA'));
  return lines.slice(start, start + 6).join('\n');
}

test('the seed incident, name-resolved (-vvv second lines): three TCP packets with names as hosts', () => {
  const { packets, summary } = text(seedLines());
  assert.equal(summary.format, 'tcpdump-text');
  assert.equal(packets.length, 3);
  const [syn, synack, rst] = packets;
  assert.equal(syn!.src, 'panorama-frontend-deploy-c8f6fd4b6-52tvf');
  assert.equal(syn!.sport, 45954);
  assert.equal(syn!.dst, 'panorama-v2-frontend-service.spring-prod.svc.cluster.local');
  assert.equal(syn!.dport, 8080);
  assert.equal(syn!.tcpFlags, 2);
  assert.equal(syn!.seq, 1108986852);
  assert.equal(syn!.mss, 1410);
  assert.equal(syn!.wscale, 7);
  assert.equal(synack!.src, '10-224-1-56.panorama-v2-frontend-service.spring-prod.svc.cluster.local');
  assert.equal(synack!.tcpFlags, 0x12);
  assert.equal(synack!.ack, 1108986853);
  assert.equal(rst!.tcpFlags, 4);
  assert.equal(rst!.line, 6);
});

test('the incident summary lines (-n addresses, annotations after the flags)', () => {
  const { packets } = text(`    podA.45954 > 10.233.53.172.8080: Flags [S]
    10.224.1.56.8080 > podA.45954:   Flags [S.]    <- reply comes from the POD IP
    podA.45954 > 10.224.1.56.8080:   Flags [R]     <- podA does not know it: reset
`);
  assert.deepEqual(
    packets.map((p) => [p.src, p.sport, p.dst, p.dport, p.tcpFlags]),
    [
      ['podA', 45954, '10.233.53.172', 8080, 2],
      ['10.224.1.56', 8080, 'podA', 45954, 18],
      ['podA', 45954, '10.224.1.56', 8080, 4],
    ],
  );
  assert.equal(packets[1]!.src4, (10 << 24) + (224 << 16) + (1 << 8) + 56);
  assert.equal(packets[0]!.src4, -1);
});

test('timestamps: default, -tt, -tttt, and a midnight wrap', () => {
  const { packets } =
    text(`23:59:59.900000 IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [S], seq 1, win 100, length 0
00:00:00.100000 IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [S], seq 1, win 100, length 0
1700000000.000123 IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [.], ack 1, win 100, length 0
2023-11-14 22:13:20.500000 IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [.], ack 1, win 100, length 0
`);
  assert.equal(packets.length, 4);
  assert.deepEqual([packets[0]!.sec, packets[0]!.nsec], [86399, 900000000]);
  assert.deepEqual([packets[1]!.sec, packets[1]!.nsec], [86400, 100000000]);
  assert.deepEqual([packets[2]!.sec, packets[2]!.nsec], [1700000000, 123000]);
  assert.deepEqual([packets[3]!.sec, packets[3]!.nsec], [1700000000, 500000000]);
});

test('-i any columns (interface, direction), -e link headers with VLAN, -v two-line IPv4 headers', () => {
  const { packets } =
    text(`12:00:00.000001 veth1a2b In  IP 10.244.1.5.40000 > 10.96.0.1.443: Flags [S], seq 10, win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0
12:00:00.000002 aa:bb:cc:dd:ee:ff > 11:22:33:44:55:66, ethertype 802.1Q (0x8100), length 78: vlan 100, p 0, ethertype IPv4 (0x0800), IP 10.0.0.1.5 > 10.0.0.2.6: Flags [P.], seq 1:101, ack 1, win 502, length 100
12:00:00.000003 IP (tos 0x0, ttl 63, id 4321, offset 0, flags [DF], proto TCP (6), length 52)
    10.0.0.2.6 > 10.0.0.1.5: Flags [.], cksum 0x1234 (correct), ack 101, win 502, length 0
`);
  assert.equal(packets.length, 3);
  assert.equal(packets[0]!.ifName, 'veth1a2b');
  assert.equal(packets[0]!.dir, 'in');
  assert.equal(packets[0]!.mss, 1460);
  assert.deepEqual(packets[1]!.vlans, [100]);
  assert.equal(packets[1]!.payloadLen, 100);
  assert.equal(packets[2]!.ttl, 63);
  assert.equal(packets[2]!.ipId, 4321);
  assert.equal(packets[2]!.df, true);
  assert.equal(packets[2]!.ack, 101);
  assert.equal(packets[2]!.sec, 12 * 3600);
  assert.equal(packets[2]!.line, 4);
});

test('DNS queries and answers, UDP, ICMP unreachable and frag-needed, ICMPv6, IPv6 endpoints', () => {
  const { packets, summary } =
    text(`10:00:00.000000 IP 10.244.1.5.45000 > 10.96.0.10.53: 1234+ A? api.prod.svc.cluster.local. (44)
10:00:00.000010 IP 10.244.1.5.45000 > 10.96.0.10.domain: 1235+ AAAA? api.prod.svc.cluster.local. (44)
10:00:00.000400 IP 10.96.0.10.53 > 10.244.1.5.45000: 1234*- 1/0/0 A 10.96.5.5 (104)
10:00:00.000500 IP 10.96.0.10.53 > 10.244.1.5.45001: 77 NXDomain 0/1/0 (97)
10:00:00.001000 IP 10.0.0.1.5000 > 10.0.0.2.6000: UDP, length 33
10:00:00.002000 IP 10.0.0.2 > 10.0.0.1: ICMP 10.0.0.2 udp port 6000 unreachable, length 69
10:00:00.003000 IP 10.0.0.254 > 10.0.0.1: ICMP 10.0.0.2 unreachable - need to frag (mtu 1450), length 556
10:00:00.004000 IP 10.0.0.254 > 10.0.0.1: ICMP host 10.0.0.9 unreachable - admin prohibited filter, length 68
10:00:00.005000 IP6 2001:db8::1.546 > ff02::1:2.547: UDP, length 40
10:00:00.006000 IP6 fe80::1 > 2001:db8::5: ICMP6, packet too big, mtu 1280, length 1240
10:00:00.007000 IP6 2001:db8::2 > 2001:db8::1: ICMP6, destination unreachable, unreachable port, 2001:db8::2 udp port 53, length 72
10:00:00.008000 ARP, Request who-has 10.0.0.1 tell 10.0.0.2, length 28
`);
  assert.deepEqual(summary.diagnostics, []);
  assert.equal(packets.length, 11);
  assert.deepEqual(packets[0]!.dns, {
    id: 1234,
    response: false,
    rcode: 0,
    qname: 'api.prod.svc.cluster.local',
    qtype: 1,
    answers: 0,
  });
  assert.equal(packets[1]!.dport, 53);
  assert.equal(packets[1]!.dns?.qtype, 28);
  assert.equal(packets[2]!.dns?.response, true);
  assert.equal(packets[2]!.dns?.answers, 1);
  assert.equal(packets[3]!.dns?.rcode, 3);
  assert.equal(packets[4]!.payloadLen, 33);
  assert.equal(packets[5]!.icmpCode, 3);
  assert.deepEqual(
    [packets[5]!.inner?.dst, packets[5]!.inner?.dport, packets[5]!.inner?.proto],
    ['10.0.0.2', 6000, 17],
  );
  assert.deepEqual([packets[6]!.icmpCode, packets[6]!.mtu], [4, 1450]);
  assert.equal(packets[7]!.icmpCode, 13);
  assert.equal(packets[8]!.src, '2001:db8::1');
  assert.equal(packets[8]!.sport, 546);
  assert.deepEqual([packets[9]!.icmpType, packets[9]!.mtu], [2, 1280]);
  assert.deepEqual([packets[10]!.icmpType, packets[10]!.icmpCode, packets[10]!.inner?.dport], [1, 4, 53]);
});

test('-v ICMP errors: the quoted datagram on the following lines gives the inner ports', () => {
  const { packets } =
    text(`10:00:00.000000 IP (tos 0xc0, ttl 64, id 1, offset 0, flags [none], proto ICMP (1), length 88)
    10.0.0.2 > 10.0.0.1: ICMP 10.0.0.2 tcp port 8081 unreachable, length 68
	IP (tos 0x0, ttl 64, id 5, offset 0, flags [DF], proto TCP (6), length 60)
    10.0.0.1.50000 > 10.0.0.2.8081: Flags [S], cksum 0x1 (correct), seq 42, win 64240, length 0
10:00:01.000000 IP 10.0.0.1.50001 > 10.0.0.2.8081: Flags [S], seq 43, win 64240, length 0
`);
  assert.equal(packets.length, 2);
  assert.deepEqual(packets[0]!.inner, {
    ipv: 4,
    src: '10.0.0.1',
    dst: '10.0.0.2',
    proto: 6,
    sport: 50000,
    dport: 8081,
    seq: 42,
  });
  assert.equal(packets[1]!.sport, 50001);
});

test('banners, payload dumps and comments are skipped; unknown packet lines are diagnosed with their line', () => {
  const { packets, summary } = text(`tcpdump: verbose output suppressed, use -v[v]... for full protocol decode
listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes
GET / HTTP/1.1
Host: panorama-v2-frontend-service.spring-prod.svc.cluster.local:8080
12:00:00.000000 IP 10.0.0.1 > 224.0.0.22: igmp v3 report, 1 group record(s)
12:00:00.000001 IP 10.0.0.1.1 > 10.0.0.2.2: Flags [S], seq 1, win 1, length 0
2 packets captured
`);
  assert.equal(packets.length, 1);
  assert.equal(summary.diagnostics.length, 1);
  assert.equal(summary.diagnostics[0]!.code, 'UNSUPPORTED');
  assert.equal(summary.diagnostics[0]!.line, 5);
});

test('text that has no packet line is WRONG_FORMAT; chunk boundaries inside lines do not matter', () => {
  assert.equal(text('hello\nworld\n').summary.diagnostics[0]!.code, 'WRONG_FORMAT');
  const s = seedLines();
  const whole = text(s).packets.map((p) => [p.src, p.seq]);
  assert.deepEqual(
    readAll(Buffer.from(s), { text: true, chunk: 7 }).packets.map((p) => [p.src, p.seq]),
    whole,
  );
});

test('endpoint(): names, IPv4 with and without port, IPv6, service names', () => {
  assert.deepEqual(endpoint('podA.45954', true), { host: 'podA', port: 45954 });
  assert.deepEqual(endpoint('10.233.53.172.8080', true), { host: '10.233.53.172', port: 8080 });
  assert.deepEqual(endpoint('10.233.53.172', true), { host: '10.233.53.172', port: -1 });
  assert.deepEqual(endpoint('fe80::1.546', true), { host: 'fe80::1', port: 546 });
  assert.deepEqual(endpoint('kube-dns.kube-system.svc.cluster.local.domain', true), {
    host: 'kube-dns.kube-system.svc.cluster.local',
    port: 53,
  });
  assert.deepEqual(endpoint('web.http:', true), { host: 'web', port: 80 });
});
