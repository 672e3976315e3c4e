/**
 * @module pcap/signatures/nat-reply-bypass
 * `nat-reply-bypass` (FM-01, the seed incident): the client sends a SYN to A:p (a Service
 * address), the SYN-ACK for that SYN comes back to the same client port from B != A (the
 * endpoint the SYN was DNATed to), and the client resets it. The reply skipped
 * `nf_conntrack_in`, so no reverse NAT was applied (bridged reply with
 * bridge-nf-call-iptables=0, or a reply path that avoids the node holding the entry).
 * The DNS variant: a UDP answer from B:53 to a query sent to A:53.
 * Seen per interface, so a node-wide `-i any` capture still shows the client's view.
 */
import type { Packet, PcapFinding } from '../types.js';
import { TCP_ACK, TCP_RST, TCP_SYN } from '../types.js';
import type { DetectorContext } from './context.js';
import type { Detector } from './detector.js';
import { endpointLabel, label } from './evidence.js';
import { findingsOf, GroupTable } from './finding.js';
import type { TcpSeen } from './tcp-tracker.js';
import { EndpointMap, endpointTag } from './pair-map.js';

interface ClientSyn {
  syn: Packet;
  /** every destination this client port sent a SYN to, on this interface */
  dests: Packet[];
}

interface Stray {
  syn: Packet;
  reply: Packet;
}

interface Extra {
  vip: string;
  vport: number;
  ep: string;
  eport: number;
  proto: 'tcp' | 'udp';
  clients: Set<string>;
}

const SYN_TTL = 75;
const STRAY_TTL = 5;
const DNS_TTL = 6;

export class NatReplyBypass implements Detector {
  readonly ids = ['nat-reply-bypass'] as const;
  private readonly syns = new EndpointMap<ClientSyn>();
  private readonly strays = new EndpointMap<Stray>();
  private readonly queries = new EndpointMap<Packet>();
  private readonly table = new GroupTable<Extra>();

  private readonly ctx: DetectorContext;

  constructor(ctx: DetectorContext) {
    this.ctx = ctx;
  }

  onTcpControl(p: Packet, _seen: TcpSeen): void {
    const f = p.tcpFlags;
    if ((f & (TCP_SYN | TCP_RST)) === 0) return;
    if ((f & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
      const e = this.syns.get(p.iface, p.src, p.src4, p.sport);
      if (!e) this.syns.set(p.iface, p.src, p.src4, p.sport, 0, { syn: p, dests: [p] });
      else {
        e.syn = p;
        if (!e.dests.some((d) => d.dst === p.dst && d.dport === p.dport) && e.dests.length < 8)
          e.dests.push(p);
      }
      return;
    }
    if ((f & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) {
      const e = this.syns.get(p.iface, p.dst, p.dst4, p.dport);
      if (!e) return;
      if (e.dests.some((d) => d.dst === p.src && d.dport === p.sport)) {
        this.syns.delete(p.iface, p.dst, p.dst4, p.dport); // answered by whom it was sent to
        return;
      }
      if (p.ts - e.syn.ts > SYN_TTL) return;
      // the SYN-ACK acknowledges this very SYN (tcpdump text may print relative numbers)
      const acksSyn = p.ack === (e.syn.seq + 1) >>> 0 || (!this.ctx.absoluteSeq && p.ack <= 1);
      if (!acksSyn) return;
      this.strays.set(p.iface, p.dst, p.dst4, p.dport, endpointTag(p.src, p.src4, p.sport), {
        syn: e.syn,
        reply: p,
      });
      return;
    }
    if (f & TCP_RST) {
      const tag = endpointTag(p.dst, p.dst4, p.dport);
      const s = this.strays.get(p.iface, p.src, p.src4, p.sport, tag);
      if (!s || p.ts - s.reply.ts > STRAY_TTL) return;
      this.strays.delete(p.iface, p.src, p.src4, p.sport, tag);
      this.syns.delete(p.iface, p.src, p.src4, p.sport);
      this.occurrence('tcp', s.syn, s.reply, p);
    }
  }

  onUdp(p: Packet): void {
    const d = p.dns;
    if (!d) return;
    if (!d.response) {
      if (p.dport === 53) this.queries.set(p.iface, p.src, p.src4, p.sport, d.id, p);
      return;
    }
    if (p.sport !== 53) return;
    const q = this.queries.get(p.iface, p.dst, p.dst4, p.dport, d.id);
    if (!q) return;
    this.queries.delete(p.iface, p.dst, p.dst4, p.dport, d.id);
    if (q.dst === p.src || p.ts - q.ts > DNS_TTL) return;
    this.occurrence('udp', q, p, undefined);
  }

  private occurrence(proto: 'tcp' | 'udp', req: Packet, reply: Packet, rst: Packet | undefined): void {
    const key = `${proto}|${req.dst}|${req.dport}|${reply.src}|${reply.sport}`;
    const packets = rst ? [req, reply, rst] : [req, reply];
    const g = this.table.add(key, packets, () => ({
      vip: req.dst,
      vport: req.dport,
      ep: reply.src,
      eport: reply.sport,
      proto,
      clients: new Set<string>(),
    }));
    if (g && g.extra.clients.size < 100) g.extra.clients.add(req.src);
  }

  sweep(now: number): void {
    this.syns.sweep((e) => now - e.syn.ts > SYN_TTL);
    this.strays.sweep((s) => now - s.reply.ts > STRAY_TTL);
    this.queries.sweep((q) => now - q.ts > DNS_TTL);
  }

  finish(): PcapFinding[] {
    const n = this.ctx.names;
    return findingsOf(
      this.table,
      (g) => {
        const x = g.extra;
        const vip = endpointLabel(x.vip, x.vport, n);
        const ep = endpointLabel(x.ep, x.eport, n);
        const clients = [...x.clients].map((c) => label(c, n)).join(', ');
        const v6 = x.vip.includes(':');
        const what =
          x.proto === 'tcp'
            ? `${g.count} connection(s) reset`
            : `${g.count} DNS answer(s) dropped by the resolver`;
        return {
          id: 'nat-reply-bypass',
          severity: 'critical',
          title: `Replies from ${ep} bypass the reverse NAT of ${vip} (${what})`,
          symptom:
            x.proto === 'tcp'
              ? `Connections from ${clients} to ${vip} time out: the SYN-ACK comes back from the endpoint ${ep} instead of ${vip}, so the client does not recognise it and answers RST; the handshake never completes. The reply did not pass conntrack, so its source was not translated back.`
              : `DNS lookups from ${clients} to ${vip} wait for their timeout: the answer comes from ${ep} instead of ${vip} and the resolver drops it ("reply from unexpected source").`,
          count: g.count,
          packets: g.packets,
          notes: [
            `request to ${vip}, reply from ${ep}: the destination was DNATed but the reply was not un-NATed (conntrack never saw it)`,
            'typical cause: client and endpoint on the same bridge (same node) with net.bridge.bridge-nf-call-iptables=0 or br_netfilter not loaded; cross-node: the reply takes a path that avoids the node holding the conntrack entry',
          ],
          fix: [
            {
              kind: 'runtime',
              description:
                'Let bridged traffic pass the IP netfilter hooks, so replies meet conntrack and are un-NATed',
              commands: [
                'modprobe br_netfilter',
                `sysctl -w net.bridge.bridge-nf-call-${v6 ? 'ip6tables' : 'iptables'}=1`,
              ],
            },
            {
              kind: 'persistent',
              description: 'Keep it across reboots',
              commands: [
                'echo br_netfilter > /etc/modules-load.d/br_netfilter.conf',
                "printf 'net.bridge.bridge-nf-call-iptables = 1\\nnet.bridge.bridge-nf-call-ip6tables = 1\\n' > /etc/sysctl.d/99-bridge-nf.conf",
                'sysctl --system',
              ],
            },
            {
              kind: 'alternative',
              description:
                'If the reply path is asymmetric across nodes, masquerade Service traffic (kube-proxy --masquerade-all / --cluster-cidr) so replies return through the NATing node',
              commands: [],
            },
          ],
          references: [
            'FM-01',
            'FM-18',
            'kubernetes/kubernetes#21613',
            'kubernetes/kubernetes#122174',
            'kelseyhightower/kubernetes-the-hard-way#561',
          ],
        };
      },
      this.ctx,
      'service/endpoint pairs',
    );
  }
}
