/**
 * @module pcap/signatures/ct-invalid-reset
 * `ct-invalid-reset` (FM-08): an established connection is reset mid-stream right after a
 * segment conntrack would call INVALID (outside `tcp_in_window()`'s bounds). INVALID
 * packets get no NAT, so a reply can reach the client from the endpoint's own address
 * (B:port instead of the Service's A:port); the client has no socket for that tuple and
 * answers RST. Two views are matched: (1) on the client, a segment from B arrives for a
 * client port that is in an established connection with A, and the client resets B;
 * (2) inside one connection, an out-of-window segment followed by a RST.
 */
import type { Packet, PcapFinding } from '../types.js';
import { TCP_RST, TCP_SYN } from '../types.js';
import type { DetectorContext } from './context.js';
import type { Detector } from './detector.js';
import { endpointLabel } from './evidence.js';
import { findingsOf, GroupTable } from './finding.js';
import type { TcpConn, TcpHalf, TcpSeen } from './tcp-tracker.js';
import { EndpointMap, endpointTag } from './pair-map.js';

/** The numeric IPv4 address of a half, read from the SYN (which the half sent or received). */
function ip4Of(syn: Packet, h: TcpHalf): number {
  return syn.src === h.ip ? syn.src4 : syn.dst4;
}

/** The RST follows the offending segment at once (the kernel answers it). */
export const RST_WITHIN = 1.0;

interface Stray {
  conn: TcpConn;
  stray: Packet;
}

interface Extra {
  a: string;
  ap: number;
  b: string;
  bp: number;
  escaped: string;
  kind: 'escaped' | 'window';
}

export class CtInvalidReset implements Detector {
  readonly ids = ['ct-invalid-reset'] as const;
  /** established connections by the client's endpoint (strays are sent to the client) */
  private readonly byClient = new EndpointMap<TcpConn>();
  private readonly strays = new EndpointMap<Stray>();
  private readonly table = new GroupTable<Extra>();

  private readonly ctx: DetectorContext;

  constructor(ctx: DetectorContext) {
    this.ctx = ctx;
  }

  onTcp(p: Packet, s: TcpSeen): void {
    const c = s.conn;
    const f = p.tcpFlags;
    if (!c.indexed && c.established && c.closedAt < 0 && c.client) {
      c.indexed = true;
      this.byClient.set(c.iface, c.client.ip, ip4Of(c.syn!, c.client), c.client.port, 0, c);
    }
    if (f & TCP_SYN) return;
    if (f & TCP_RST) {
      this.reset(p, s);
      return;
    }
    if (s.outOfWindow && c.established && c.closedAt < 0) c.oow = p;
    // view (1): the first packet of a tuple nobody opened, to a port busy with someone else
    if (s.isNew) {
      const est = this.byClient.get(p.iface, p.dst, p.dst4, p.dport);
      if (est && est !== c && est.closedAt < 0 && est.established) {
        const peer = est.client === est.a ? est.b : est.a;
        if (peer.ip !== p.src || peer.port !== p.sport) {
          this.strays.set(p.iface, p.dst, p.dst4, p.dport, endpointTag(p.src, p.src4, p.sport), {
            conn: est,
            stray: p,
          });
        }
      }
    }
  }

  private reset(p: Packet, s: TcpSeen): void {
    const tag = endpointTag(p.dst, p.dst4, p.dport);
    const st = this.strays.get(p.iface, p.src, p.src4, p.sport, tag);
    if (st && p.ts - st.stray.ts <= RST_WITHIN) {
      this.strays.delete(p.iface, p.src, p.src4, p.sport, tag);
      const est = st.conn;
      const peer = est.a.ip === p.src && est.a.port === p.sport ? est.b : est.a;
      const packets = est.syn ? [est.syn, st.stray, p] : [est.firstPacket, st.stray, p];
      this.add(
        'escaped',
        p.src,
        p.sport,
        peer.ip,
        peer.port,
        endpointLabel(p.dst, p.dport, this.ctx.names),
        packets,
      );
      return;
    }
    const c = s.conn;
    if (c.established && c.oow && p.ts - c.oow.ts <= RST_WITHIN && !(c.a.finSeen || c.b.finSeen)) {
      const client = c.client ?? c.a;
      const server = client === c.a ? c.b : c.a;
      const packets = c.syn ? [c.syn, c.oow, p] : [c.oow, p];
      this.add('window', client.ip, client.port, server.ip, server.port, '', packets);
      c.oow = undefined;
    }
  }

  private add(
    kind: Extra['kind'],
    a: string,
    ap: number,
    b: string,
    bp: number,
    escaped: string,
    packets: Packet[],
  ): void {
    this.table.add(`${kind}|${a}|${b}|${bp}`, packets, () => ({ a, ap, b, bp, escaped, kind }));
  }

  onConnEnd(c: TcpConn): void {
    if (!c.indexed) return;
    c.indexed = false;
    const h = c.client!;
    const ip4 = ip4Of(c.syn!, h);
    if (this.byClient.get(c.iface, h.ip, ip4, h.port) === c) this.byClient.delete(c.iface, h.ip, ip4, h.port);
  }

  sweep(now: number): void {
    this.strays.sweep((s) => now - s.stray.ts > RST_WITHIN);
  }

  finish(): PcapFinding[] {
    const n = this.ctx.names;
    return findingsOf(
      this.table,
      (g) => {
        const x = g.extra;
        const conn = `${endpointLabel(x.a, x.ap, n)} <> ${endpointLabel(x.b, x.bp, n)}`;
        const symptom =
          x.kind === 'escaped'
            ? `An established connection ${conn} is reset: a segment for the client's port arrived from ${x.escaped} — the endpoint's own address instead of ${endpointLabel(x.b, x.bp, n)} — so it had escaped reverse NAT; the client answered RST. conntrack had marked it INVALID (out of window), and INVALID packets are not NATed.`
            : `An established connection ${conn} is reset mid-stream right after a segment outside the window conntrack tracks (tcp_in_window). conntrack marks such segments INVALID; unless they are dropped they pass without NAT and provoke a RST. Users see "connection reset by peer" on long or busy transfers.`;
        return {
          id: 'ct-invalid-reset',
          severity: 'warning',
          title: `Mid-stream reset of ${conn} after an out-of-window segment (${g.count} time(s))`,
          symptom,
          count: g.count,
          packets: g.packets,
          fix: [
            {
              kind: 'runtime',
              description:
                'Drop INVALID packets before they are forwarded un-NATed, or let conntrack be liberal about windows',
              commands: [
                'iptables -I FORWARD -m conntrack --ctstate INVALID -j DROP',
                'sysctl -w net.netfilter.nf_conntrack_tcp_be_liberal=1',
                'conntrack -S   # invalid counter',
              ],
            },
            {
              kind: 'persistent',
              description:
                'kube-proxy >= 1.15 installs the INVALID drop rule in KUBE-FORWARD; upgrade it or persist be_liberal in /etc/sysctl.d/',
              commands: [
                "echo 'net.netfilter.nf_conntrack_tcp_be_liberal = 1' > /etc/sysctl.d/99-conntrack-liberal.conf",
              ],
            },
          ],
          references: [
            'FM-08',
            'kubernetes/kubernetes#74839',
            'https://kubernetes.io/blog/2019/03/29/kube-proxy-subtleties-debugging-an-intermittent-connection-reset/',
          ],
        };
      },
      this.ctx,
      'connections',
    );
  }
}
