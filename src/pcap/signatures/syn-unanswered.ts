/**
 * @module pcap/signatures/syn-unanswered
 * `syn-unanswered` (FM-02, FM-04, FM-12, FM-16): a SYN retransmitted on the client's RTO
 * schedule (`tcp_retransmit_timer`: 1 s, 3 s, 7 s, ... after the first) with no SYN-ACK,
 * RST or ICMP error coming back — the packet is dropped on the way or at the destination.
 * `rst-refused` (FM-17): the SYN is answered by a RST (nothing listening, or REJECT with
 * tcp-reset). Both keyed by the client's port on one interface.
 */
import type { Packet, PcapFinding } from '../types.js';
import { TCP_ACK, TCP_RST, TCP_SYN } from '../types.js';
import type { DetectorContext } from './context.js';
import type { Detector } from './detector.js';
import { endpointLabel, label } from './evidence.js';
import { findingsOf, GroupTable, seconds } from './finding.js';
import type { TcpSeen } from './tcp-tracker.js';
import { EndpointMap } from './pair-map.js';
import { parseIpv4 } from '../decode/address.js';

interface Attempt {
  dst: string;
  dport: number;
  seq: number;
  /** transmissions at distinct times (a copy seen twice within 0.2 s counts once) */
  sends: Packet[];
  count: number;
  lastTs: number;
}

/** Retransmissions needed: the first SYN plus two (at about 1 s and 3 s). */
export const MIN_SYN_SENDS = 3;
const DISTINCT = 0.2;
/** Linux gives up after tcp_syn_retries (6): 127 s */
const GIVE_UP = 130;
const MAX_KEPT_SENDS = 7;

interface Extra {
  dst: string;
  dport: number;
  clients: Set<string>;
}

export class SynUnanswered implements Detector {
  readonly ids = ['syn-unanswered', 'rst-refused'] as const;
  private readonly attempts = new EndpointMap<Attempt>();
  private readonly unanswered = new GroupTable<Extra & { schedule: number[] }>();
  private readonly refused = new GroupTable<Extra>();

  private readonly ctx: DetectorContext;

  constructor(ctx: DetectorContext) {
    this.ctx = ctx;
  }

  onTcpControl(p: Packet, _seen: TcpSeen): void {
    const f = p.tcpFlags;
    if ((f & (TCP_SYN | TCP_RST)) === 0) return;
    if ((f & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
      const a = this.attempts.get(p.iface, p.src, p.src4, p.sport);
      if (a && a.dst === p.dst && a.dport === p.dport && a.seq === p.seq) {
        if (p.ts - a.lastTs >= DISTINCT) {
          a.count++;
          if (a.sends.length < MAX_KEPT_SENDS) a.sends.push(p);
          a.lastTs = p.ts;
        }
        return;
      }
      if (a) this.settle(a, false);
      this.attempts.set(p.iface, p.src, p.src4, p.sport, 0, {
        dst: p.dst,
        dport: p.dport,
        seq: p.seq,
        sends: [p],
        count: 1,
        lastTs: p.ts,
      });
      return;
    }
    // an answer to the client's port: SYN-ACK (from anyone: a reply that bypassed NAT still
    // answered; nat-reply-bypass reports it) or RST
    const a = this.attempts.get(p.iface, p.dst, p.dst4, p.dport);
    if (!a) return;
    this.attempts.delete(p.iface, p.dst, p.dst4, p.dport);
    if (f & TCP_RST && p.src === a.dst && p.sport === a.dport) {
      const acks = !(f & TCP_ACK) || p.ack === (a.seq + 1) >>> 0 || !this.ctx.absoluteSeq;
      if (acks) this.refuse(a, p);
    }
  }

  onIcmpError(p: Packet): void {
    const i = p.inner;
    if (!i || i.proto !== 6) return;
    // the ICMP error travels to the client: the attempt was answered (icmp-unreachable reports it)
    if (this.attempts.delete(p.iface, i.src, parseIpv4(i.src), i.sport)) return;
    this.attempts.delete(p.iface, p.dst, p.dst4, i.sport);
  }

  private refuse(a: Attempt, rst: Packet): void {
    const g = this.refused.add(`${a.dst}|${a.dport}`, [a.sends[0]!, rst], () => ({
      dst: a.dst,
      dport: a.dport,
      clients: new Set<string>(),
    }));
    if (g && g.extra.clients.size < 100) g.extra.clients.add(a.sends[0]!.src);
  }

  /** An attempt ends unanswered (superseded, given up, or capture over). */
  private settle(a: Attempt, _final: boolean): void {
    if (a.count < MIN_SYN_SENDS) return;
    const first = a.sends[0]!;
    const g = this.unanswered.add(`${a.dst}|${a.dport}`, a.sends, () => ({
      dst: a.dst,
      dport: a.dport,
      clients: new Set<string>(),
      schedule: a.sends.slice(1).map((s) => s.ts - first.ts),
    }));
    if (g && g.extra.clients.size < 100) g.extra.clients.add(first.src);
  }

  sweep(now: number): void {
    this.attempts.sweep((a) => {
      if (now - a.lastTs <= GIVE_UP) return false;
      this.settle(a, true);
      return true;
    });
  }

  finish(): PcapFinding[] {
    this.attempts.forEach((a) => this.settle(a, true));
    this.attempts.clear();
    const n = this.ctx.names;
    const out = findingsOf(
      this.unanswered,
      (g) => {
        const dst = endpointLabel(g.extra.dst, g.extra.dport, n);
        const clients = [...g.extra.clients].map((c) => label(c, n)).join(', ');
        const sched = g.extra.schedule.map((t) => `+${seconds(t)}`).join(', ');
        return {
          id: 'syn-unanswered',
          severity: 'warning',
          title: `SYNs to ${dst} are never answered (${g.count} connection attempt(s))`,
          symptom: `connect() from ${clients} to ${dst} times out: the SYN is retransmitted (${sched}) and nothing comes back — no SYN-ACK, RST or ICMP error. It is dropped on the way or at the destination.`,
          count: g.count,
          packets: g.packets,
          notes: [
            `retransmission schedule of the first attempt: ${sched} after the first SYN (the kernel's exponential RTO back-off)`,
          ],
          fix: [
            {
              kind: 'runtime',
              description:
                'Find the drop: capture on the next hops (node interface, cni bridge, destination veth) and look for the SYN; check DROP rules and policies on the way',
              commands: [
                'iptables-save -c | grep -E "DROP|REJECT"',
                'nft list ruleset | grep -E "drop|reject"',
                'conntrack -S   # drop / insert_failed / early_drop growing?',
                'sysctl net.ipv4.ip_forward net.netfilter.nf_conntrack_count net.netfilter.nf_conntrack_max',
              ],
            },
          ],
          references: ['FM-02', 'FM-04', 'FM-05', 'FM-12', 'FM-16'],
        };
      },
      this.ctx,
      'destinations',
    );
    const refused = findingsOf(
      this.refused,
      (g) => {
        const dst = endpointLabel(g.extra.dst, g.extra.dport, n);
        const clients = [...g.extra.clients].map((c) => label(c, n)).join(', ');
        return {
          id: 'rst-refused',
          severity: 'warning',
          title: `Connections to ${dst} are refused with TCP RST (${g.count} attempt(s))`,
          symptom: `connect() from ${clients} to ${dst} fails at once with "connection refused": the SYN is answered by a RST. Nothing listens on that port, or a firewall rule rejects with tcp-reset.`,
          count: g.count,
          packets: g.packets,
          fix: [
            {
              kind: 'runtime',
              description:
                'Check that the destination listens on the port (the Service targetPort must be the container port) and that no REJECT --reject-with tcp-reset rule matches',
              commands: [
                "ss -ltnp   # inside the destination pod's network namespace",
                'kubectl get endpointslices -A -o wide',
                'iptables-save | grep -- "--reject-with tcp-reset"',
              ],
            },
          ],
          references: ['FM-17'],
        };
      },
      this.ctx,
      'destinations',
    );
    return [...out, ...refused];
  }
}
