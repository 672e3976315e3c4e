/**
 * @module pcap/signatures/dns-retry-5s
 * `dns-retry-5s` (FM-03): glibc sends the A and AAAA queries of one lookup from one UDP
 * socket at the same moment; when both race through `nf_conntrack_in` before either is
 * confirmed, `__nf_conntrack_confirm` drops one (insert_failed). One answer returns, the
 * other query is resent when the resolver's timeout (5 s) expires. Counted per DNS server:
 * the lookups that waited, against all A/AAAA pairs seen. Each interface is its own view.
 */
import type { Packet, PcapFinding } from '../types.js';
import type { DetectorContext } from './context.js';
import type { Detector } from './detector.js';
import { endpointLabel, label, qtypeName } from './evidence.js';
import { findingsOf, GroupTable, seconds } from './finding.js';
import { EndpointMap } from './pair-map.js';

interface Query {
  p: Packet;
  answer: Packet | undefined;
  partner: Query | undefined;
  retried: boolean;
  /** the byName list holding it, while it may still turn out to be a lost query */
  list: Query[] | undefined;
}

interface Extra {
  server: string;
  port: number;
  clients: Set<string>;
  names: Set<string>;
  waits: number[];
}

/** A and AAAA "at the same moment": glibc sends them back to back. */
const PAIR_WINDOW = 0.05;
/** resolv.conf `timeout:5` (glibc RES_TIMEOUT), with slack for scheduling */
const RETRY_MIN = 4.0;
const RETRY_MAX = 6.5;
const QUERY_TTL = 8;
const MAX_PER_NAME = 16;

function forget(q: Query): void {
  const l = q.list;
  if (!l) return;
  const i = l.indexOf(q);
  if (i >= 0) l.splice(i, 1);
  q.list = undefined;
}

export class DnsRetry5s implements Detector {
  readonly ids = ['dns-retry-5s'] as const;
  /** queries waiting for their answer, by socket and DNS id */
  private readonly byId = new EndpointMap<Query>();
  /** the last unpaired query of each socket, for PAIR_WINDOW */
  private readonly lastOnSocket = new EndpointMap<Query>();
  /** recent paired queries per client, name and type, oldest first; a pair leaves when both are answered */
  private readonly byName = new Map<string, Query[]>();
  private readonly table = new GroupTable<Extra>();
  /** A/AAAA pairs seen per server (`ip|port`) */
  private readonly pairs = new Map<string, number>();

  private readonly ctx: DetectorContext;

  constructor(ctx: DetectorContext) {
    this.ctx = ctx;
  }

  onUdp(p: Packet): void {
    const d = p.dns;
    if (!d) return;
    if (d.response) {
      if (p.sport === 53) this.answer(p, d.id);
      return;
    }
    if (p.dport !== 53 || (d.qtype !== 1 && d.qtype !== 28) || !d.qname) return;
    const q: Query = { p, answer: undefined, partner: undefined, retried: false, list: undefined };
    const nameKey = `${p.iface}|${p.src}|${d.qname}|${d.qtype}`;
    const recent = this.byName.get(nameKey);
    if (recent) this.retries(recent, q);
    const prev = this.lastOnSocket.get(p.iface, p.src, p.src4, p.sport);
    if (
      prev &&
      p.ts - prev.p.ts <= PAIR_WINDOW &&
      prev.p.dns!.qname === d.qname &&
      prev.p.dns!.qtype !== d.qtype &&
      prev.p.dst === p.dst
    ) {
      this.lastOnSocket.delete(p.iface, p.src, p.src4, p.sport);
      prev.partner = q;
      q.partner = prev;
      const sk = `${p.dst}|${p.dport}`;
      this.pairs.set(sk, (this.pairs.get(sk) ?? 0) + 1);
      this.remember(prev, `${p.iface}|${p.src}|${d.qname}|${prev.p.dns!.qtype}`);
      this.remember(q, nameKey, recent);
    } else this.lastOnSocket.set(p.iface, p.src, p.src4, p.sport, 0, q);
    this.byId.set(p.iface, p.src, p.src4, p.sport, d.id, q);
  }

  private answer(p: Packet, id: number): void {
    const q = this.byId.get(p.iface, p.dst, p.dst4, p.dport, id);
    // an answer from another address than the one asked is dropped by the resolver
    if (!q || q.p.dst !== p.src) return;
    this.byId.delete(p.iface, p.dst, p.dst4, p.dport, id);
    q.answer = p;
    const partner = q.partner;
    if (partner?.answer) {
      // both halves answered: neither can be a lost query any more
      forget(q);
      forget(partner);
    }
  }

  private remember(q: Query, key: string, known?: Query[]): void {
    let list = known ?? this.byName.get(key);
    if (!list) {
      list = [];
      this.byName.set(key, list);
    }
    if (list.length >= MAX_PER_NAME) list.shift()!.list = undefined;
    list.push(q);
    q.list = list;
  }

  /** Does `q` ask again what an earlier, lost query asked? */
  private retries(recent: Query[], q: Query): void {
    while (recent.length && q.p.ts - recent[0]!.p.ts > RETRY_MAX) recent.shift()!.list = undefined;
    for (const e of recent) if (this.checkRetry(e, q)) return;
  }

  /** `q` asks again what `e` asked: was `e` the lost half of a pair, resent after the timeout? */
  private checkRetry(e: Query, q: Query): boolean {
    const wait = q.p.ts - e.p.ts;
    if (e.retried || e.answer || !e.partner?.answer || wait < RETRY_MIN || wait > RETRY_MAX) return false;
    e.retried = true;
    const ep = e.p;
    const packets = [ep, e.partner.p, e.partner.answer, q.p].sort((a, b) => a.n - b.n);
    const g = this.table.add(`${ep.dst}|${ep.dport}`, packets, () => ({
      server: ep.dst,
      port: ep.dport,
      clients: new Set<string>(),
      names: new Set<string>(),
      waits: [],
    }));
    if (!g) return true;
    if (g.extra.clients.size < 50) g.extra.clients.add(ep.src);
    if (g.extra.names.size < 10) g.extra.names.add(`${qtypeName(ep.dns!.qtype)} ${ep.dns!.qname}`);
    if (g.extra.waits.length < 50) g.extra.waits.push(wait);
    return true;
  }

  sweep(now: number): void {
    this.byId.sweep((q) => now - q.p.ts > QUERY_TTL);
    this.lastOnSocket.sweep((q) => now - q.p.ts > PAIR_WINDOW);
    this.byName.forEach((l, k) => {
      while (l.length && now - l[0]!.p.ts > RETRY_MAX) l.shift()!.list = undefined;
      if (l.length === 0) this.byName.delete(k);
    });
  }

  finish(): PcapFinding[] {
    const n = this.ctx.names;
    return findingsOf(
      this.table,
      (g) => {
        const x = g.extra;
        const server = endpointLabel(x.server, x.port, n);
        const pairs = this.pairs.get(`${x.server}|${x.port}`) ?? g.count;
        const avg = x.waits.reduce((s, w) => s + w, 0) / Math.max(1, x.waits.length);
        return {
          id: 'dns-retry-5s',
          severity: 'warning',
          title: `DNS lookups to ${server} waited ~5 s: ${g.count} of ${pairs} A/AAAA pair(s) lost one query`,
          symptom: `Name resolution from ${[...x.clients].map((c) => label(c, n)).join(', ')} intermittently takes 5 s (or 10 s): the A and AAAA queries leave one socket at the same moment, only one is answered, the other is resent after the resolver timeout (here after ${seconds(avg)} on average). Names: ${[...x.names].join(', ')}.`,
          count: g.count,
          packets: g.packets,
          notes: [
            `${g.count} affected lookup(s) out of ${pairs} simultaneous A/AAAA pair(s) to ${server}`,
            'the conntrack insertion race: both queries create an unconfirmed entry with the same tuple and __nf_conntrack_confirm drops the second (conntrack -S insert_failed)',
          ],
          fix: [
            {
              kind: 'runtime',
              description: 'Confirm the race: insert_failed (and drop) grow while lookups stall',
              commands: ['conntrack -S', 'uname -r   # clash resolution improved in 4.19, 5.0, 5.6'],
            },
            {
              kind: 'persistent',
              description:
                'Stop sending both queries from one socket at once: pod dnsConfig option single-request-reopen (glibc), or run NodeLocal DNSCache',
              commands: [
                'kubectl patch deployment <name> -p \'{"spec":{"template":{"spec":{"dnsConfig":{"options":[{"name":"single-request-reopen"}]}}}}}\'',
              ],
            },
            {
              kind: 'alternative',
              description: 'Use DNS over TCP (use-vc) or a node-local cache whose traffic is NOTRACKed',
              commands: [],
            },
          ],
          references: [
            'FM-03',
            'kubernetes/kubernetes#56903',
            'weaveworks/weave#3287',
            'https://www.weave.works/blog/racy-conntrack-and-dns-lookup-timeouts',
          ],
        };
      },
      this.ctx,
      'DNS servers',
    );
  }
}
