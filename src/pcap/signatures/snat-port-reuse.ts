/**
 * @module pcap/signatures/snat-port-reuse
 * `snat-port-reuse` (FM-05): two different connections (different initial sequence
 * numbers) leave with the same source address and port for the same destination at the
 * same moment. MASQUERADE picked one tuple for both (`nf_nat_l4proto_unique_tuple` checks
 * confirmed entries only), so `__nf_conntrack_confirm` fails for the second
 * (insert_failed) and its SYN is lost. Matched across interfaces and VXLAN, and each SYN
 * is traced back to its pre-NAT copy (same ISN, other source) when the capture has it.
 */
import type { Packet, PcapFinding } from '../types.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../types.js';
import type { DetectorContext } from './context.js';
import type { Detector } from './detector.js';
import { endpointLabel, label } from './evidence.js';
import { findingsOf, GroupTable } from './finding.js';
import type { TcpSeen } from './tcp-tracker.js';
import { EndpointMap, endpointTag } from './pair-map.js';

interface Tuple {
  syns: Packet[];
  closed: boolean;
  lastTs: number;
}

interface Extra {
  src: string;
  dst: string;
  dport: number;
  inner: Set<string>;
  ports: Set<number>;
}

/** "at the same time": within the first SYN's retransmission timeout */
export const SAME_TIME = 1.0;
const TTL = 5;
/** SYNs remembered for matching pre-NAT copies */
const RECENT = 4096;

export class SnatPortReuse implements Detector {
  readonly ids = ['snat-port-reuse'] as const;
  private readonly tuples = new EndpointMap<Tuple>();
  /** the most recent SYNs (a ring), searched for the pre-NAT copy of a clashing SYN */
  private readonly recent: (Packet | undefined)[] = new Array<Packet | undefined>(RECENT).fill(undefined);
  private next = 0;
  private readonly table = new GroupTable<Extra>();

  private readonly ctx: DetectorContext;

  constructor(ctx: DetectorContext) {
    this.ctx = ctx;
  }

  onTcpControl(p: Packet, _seen: TcpSeen): void {
    const f = p.tcpFlags;
    if ((f & (TCP_SYN | TCP_RST | TCP_FIN)) === 0) return;
    if ((f & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
      this.syn(p);
      return;
    }
    if (f & (TCP_RST | TCP_FIN)) {
      const t =
        this.tuples.get(0, p.src, p.src4, p.sport, endpointTag(p.dst, p.dst4, p.dport)) ??
        this.tuples.get(0, p.dst, p.dst4, p.dport, endpointTag(p.src, p.src4, p.sport));
      if (t) t.closed = true;
    }
  }

  private syn(p: Packet): void {
    this.recent[this.next] = p;
    this.next = (this.next + 1) % RECENT;
    const tag = endpointTag(p.dst, p.dst4, p.dport);
    const t = this.tuples.get(0, p.src, p.src4, p.sport, tag);
    if (!t || t.closed || p.ts - t.lastTs > TTL) {
      this.tuples.set(0, p.src, p.src4, p.sport, tag, { syns: [p], closed: false, lastTs: p.ts });
      return;
    }
    t.lastTs = p.ts;
    if (t.syns.some((s) => s.seq === p.seq)) return; // a copy or a retransmission of the same connection
    const other = t.syns.find((s) => p.ts - s.ts <= SAME_TIME);
    if (t.syns.length < 4) t.syns.push(p);
    if (!other || !this.ctx.absoluteSeq) return;
    const preNat = [other, p].map((s) => this.preNat(s));
    const packets = [other, p, ...preNat.filter((x): x is Packet => x !== undefined)];
    const g = this.table.add(`${p.src}|${p.dst}|${p.dport}`, packets, () => ({
      src: p.src,
      dst: p.dst,
      dport: p.dport,
      inner: new Set<string>(),
      ports: new Set<number>(),
    }));
    if (!g) return;
    if (g.extra.ports.size < 20) g.extra.ports.add(p.sport);
    for (const x of preNat)
      if (x && g.extra.inner.size < 20) g.extra.inner.add(endpointLabel(x.src, x.sport, this.ctx.names));
  }

  /** A recent SYN with the same ISN from another source: the same connection before SNAT. */
  private preNat(s: Packet): Packet | undefined {
    for (const x of this.recent) {
      if (
        x &&
        x.seq === s.seq &&
        (x.src !== s.src || x.sport !== s.sport) &&
        Math.abs(x.ts - s.ts) <= SAME_TIME
      )
        return x;
    }
    return undefined;
  }

  sweep(now: number): void {
    this.tuples.sweep((t) => now - t.lastTs > TTL);
  }

  finish(): PcapFinding[] {
    const n = this.ctx.names;
    return findingsOf(
      this.table,
      (g) => {
        const x = g.extra;
        const dst = endpointLabel(x.dst, x.dport, n);
        const ports = [...x.ports].join(', ');
        const inner = x.inner.size
          ? ` The connections came from ${[...x.inner].join(' and ')} before NAT.`
          : '';
        return {
          id: 'snat-port-reuse',
          severity: 'warning',
          title: `Two connections shared source ${label(x.src, n)}:${ports} towards ${dst} at the same time (${g.count} time(s))`,
          symptom: `Connections to ${dst} sometimes take 1 s (or 3 s) to establish: two different connections (different initial sequence numbers) left with the same source address and port within ${SAME_TIME} s; conntrack can keep only one, the other's SYN is dropped and retransmitted.${inner}`,
          count: g.count,
          packets: g.packets,
          notes: [
            'SNAT chose the same tuple for two connections confirmed at once: conntrack -S insert_failed grows with each',
          ],
          fix: [
            {
              kind: 'runtime',
              description: 'Confirm the clashes, and find the masquerade rules that lack --random-fully',
              commands: [
                'conntrack -S   # insert_failed',
                'iptables-save -t nat | grep MASQUERADE | grep -v -- --random-fully',
              ],
            },
            {
              kind: 'persistent',
              description:
                'Use fully random source port selection on every SNAT/MASQUERADE rule (kube-proxy does when iptables supports it; CNI masquerade rules need it too)',
              commands: ['iptables -t nat -A POSTROUTING ... -j MASQUERADE --random-fully'],
            },
            {
              kind: 'alternative',
              description: 'Reuse connections (keep-alive, pools) or add egress addresses',
              commands: [],
            },
          ],
          references: [
            'FM-05',
            'kubernetes/kubernetes#76699',
            'https://tech.new-work.se/a-reason-for-unexplained-connection-timeouts-on-kubernetes-docker-abd041cf7e02',
          ],
        };
      },
      this.ctx,
      'source/destination pairs',
    );
  }
}
