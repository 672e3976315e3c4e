/**
 * @module sim/ipvs
 * IPVS NAT (kube-proxy `--proxy-mode=ipvs`) as net/netfilter/ipvs/ip_vs_core.c and
 * ip_vs_xmit.c run it. The walk calls in at the kernel's hook points:
 * - ip_vs_remote_request4, NF_INET_LOCAL_IN at NF_IP_PRI_NAT_SRC-1, after the filter table:
 *   a new packet to a virtual service (a ClusterIP bound to kube-ipvs0, hence local) is
 *   scheduled to a real server, its destination rewritten, and ip_vs_nat_xmit sends it out
 *   again through LOCAL_OUT and POSTROUTING (ip_vs_nat_send_or_cont);
 * - ip_vs_local_request4, NF_INET_LOCAL_OUT, for clients on the node itself;
 * - ip_vs_reply4, NF_INET_LOCAL_IN and NF_INET_FORWARD, and ip_vs_local_reply4 at LOCAL_OUT:
 *   a reply from a real server gets the virtual address back as its source. A reply that
 *   never meets one of these hooks (a bridged reply with bridge-nf-call-iptables = 0)
 *   reaches the client from the pod address.
 * Conntrack: with net.ipv4.vs.conntrack = 1 (IP_VS_CONN_F_NFCT) ip_vs_update_conntrack
 * rewrites the reply tuple of the still unconfirmed entry to the real server, so the
 * iptables nat table (KUBE-POSTROUTING MASQUERADE) still applies and the reply is
 * recognised; with 0 ip_vs_notrack leaves the packet untracked: no MASQUERADE, and the
 * reply finds no conntrack entry. conn_reuse_mode (kubernetes#81775) and
 * expire_nodest_conn concern connections that already exist in IPVS's table; the walk
 * starts from an empty one and says so in its notes.
 * Approximation: the kernel runs IPVS at LOCAL_IN priority 99, before the nat INPUT chain
 * (100) and conntrack confirmation; the walk calls it after the whole INPUT hook and
 * undoes the confirmation (kube-proxy writes no nat INPUT rules).
 */
import type { Hop, Outcome, Packet } from './types.js';
import type { SimNs } from './world.js';
import type { WalkCtx } from './walk.js';
import type { ConntrackTable, CtLookup } from './conntrack.js';
import type { IpvsDest, IpvsService } from '../model/ipvs.js';
import { ipvsServiceName } from '../model/ipvs.js';
import { kernelBefore } from '../checks/kernel.js';

/** what the walk gives IPVS: recording hops and the outcome, and the namespace's conntrack */
export interface IpvsWalk {
  hop(ns: SimNs, h: Omit<Hop, 'node' | 'ns'>): number;
  end(outcome: Outcome, causeId: string, cause: string, index?: number): void;
  ct(ns: SimNs): ConntrackTable;
}

export interface IpvsPkt {
  p: Packet;
  ct?: { nsId: string; look: CtLookup };
}

/** an entry of IPVS's own connection table (ip_vs_conn) */
interface IpvsConn {
  nsId: string;
  proto: string;
  caddr: string;
  cport: number;
  vaddr: string;
  vport: number;
  daddr: string;
  dport: number;
  nfct: boolean;
}

const conns = new WeakMap<WalkCtx, IpvsConn[]>();
/** skb->ipvs_property: packets IPVS already handled are not scheduled again */
const handled = new WeakSet<Packet>();

const fmt = (p: Packet) =>
  `${p.proto} ${p.src}:${p.sport} > ${p.dst}:${p.dport}${p.flags ? ` [${p.flags}]` : ''}`;

function sysctlText(ns: SimNs, name: string): string {
  const v = ns.sysctl(name);
  const line = ns.sysctlLine(name);
  const src = ns.nodeModel.sourceFiles['sysctl'] ?? 'sysctl';
  return `${name} = ${v ?? '?'}${line ? ` (${src}:${line})` : ''}`;
}

function findService(ns: SimNs, p: Packet): IpvsService | undefined {
  const svcs = ns.model?.ipvs?.services ?? [];
  return (
    svcs.find((s) => s.proto === p.proto && s.addr === p.dst && s.port === p.dport) ??
    (p.mark ? svcs.find((s) => s.fwmark === p.mark) : undefined)
  );
}

/** kube-ipvs0 (or any dummy device) holding the destination: the node is in IPVS mode */
function onIpvsDevice(ns: SimNs, ip: string): string | undefined {
  const a = ns.addrs.find((x) => x.ipStr === ip);
  if (!a) return undefined;
  const l = ns.byName.get(a.ifname);
  return l && (l.name === 'kube-ipvs0' || l.kind === 'dummy') ? l.name : undefined;
}

/** the probability of each real server for a new connection */
function schedule(svc: IpvsService, ctx: WalkCtx): { dests: IpvsDest[]; p: number[]; note?: string } {
  const live = svc.dests.filter((d) => (d.weight ?? 1) > 0);
  const sched = svc.scheduler ?? 'rr';
  if (sched === 'rr' || sched === 'sh' || sched === 'dh' || sched === 'mh')
    return {
      dests: live,
      p: live.map(() => 1 / live.length),
      note:
        sched === 'rr'
          ? undefined
          : `scheduler ${sched} hashes the ${sched === 'dh' ? 'destination' : 'source'}; every real server is taken as equally likely`,
    };
  const total = live.reduce((n, d) => n + (d.weight ?? 1), 0);
  const note =
    sched === 'wrr'
      ? undefined
      : `scheduler ${sched} depends on live connection counts; each real server is weighted by its weight`;
  if (note) ctx.notes.add(note);
  return { dests: live, p: live.map((d) => (d.weight ?? 1) / total) };
}

/**
 * ip_vs_remote_request4 (hook 'LOCAL_IN') / ip_vs_local_request4 (hook 'LOCAL_OUT'):
 * 'pass' = not for IPVS; 'out' = NATed, the caller sends it through LOCAL_OUT again
 * ('LOCAL_IN') or re-routes it ('LOCAL_OUT'); 'local' = the real server is this host;
 * 'stop' = the walk ended here.
 */
export function ipvsRequest(
  ctx: WalkCtx,
  w: IpvsWalk,
  ns: SimNs,
  st: IpvsPkt,
  hook: 'LOCAL_IN' | 'LOCAL_OUT',
): 'pass' | 'out' | 'local' | 'stop' {
  const p = st.p;
  if (ctx.leg !== 'request' || ns.kind !== 'host' || handled.has(p) || p.icmp) return 'pass';
  const stage = hook === 'LOCAL_IN' ? 'ip_vs_remote_request4' : 'ip_vs_local_request4';
  if (!ns.model?.ipvs) {
    const dev = onIpvsDevice(ns, p.dst);
    if (!dev) return 'pass';
    const i = w.hop(ns, {
      stage,
      device: dev,
      verdict: 'unknown',
      note: `${p.dst} is bound to ${dev} (kube-proxy IPVS mode) but the snapshot has no ipvsadm-save -n`,
    });
    w.end(
      'unknown',
      'missing-ipvs',
      `node ${ns.node} holds ${p.dst} on ${dev} (IPVS mode), but its IPVS table is not in the snapshot (ipvsadm-save -n)`,
      i,
    );
    return 'stop';
  }
  const svc = findService(ns, p);
  if (!svc) return 'pass';
  const name = ipvsServiceName(svc);
  // tcp_conn_schedule: only a SYN creates an IPVS connection
  if (p.proto === 'tcp' && p.flags !== 'S') return 'pass';
  const nfct = ns.sysctl('net.ipv4.vs.conntrack') === '1';
  const reuse = ns.sysctl('net.ipv4.vs.conn_reuse_mode');
  if (reuse !== '0' && nfct && kernelBefore(ns.nodeModel, '5.9') === true)
    ctx.notes.add(
      `IPVS on ${ns.node}: ${sysctlText(ns, 'net.ipv4.vs.conn_reuse_mode')} with vs/conntrack = 1 on kernel ${ns.nodeModel.kernel}: a SYN that reuses a client port still in IPVS's table (TIME_WAIT, high connection churn) is dropped and retransmitted 1 s later (kubernetes#81775); this walk starts from an empty IPVS table`,
    );
  if (svc.persistent)
    ctx.notes.add(
      `IPVS ${name} is persistent (${svc.persistent} s): a client seen in the last ${svc.persistent} s goes back to the real server it had (persistence templates are not in the snapshot)`,
    );
  const sch = schedule(svc, ctx);
  if (sch.note) ctx.notes.add(sch.note);
  const quiesced = svc.dests.filter((d) => d.weight === 0);
  if (quiesced.length > 0 && sch.dests.length > 0) {
    const expire = ns.sysctl('net.ipv4.vs.expire_nodest_conn');
    const after =
      expire === undefined
        ? 'net.ipv4.vs.expire_nodest_conn (unknown) decides what happens to its remaining connections'
        : expire === '1'
          ? `${sysctlText(ns, 'net.ipv4.vs.expire_nodest_conn')}: its remaining connections are expired on their next packet (that packet is dropped)`
          : `${sysctlText(ns, 'net.ipv4.vs.expire_nodest_conn')}: its remaining connections keep going to the removed real server until their IPVS entries time out`;
    ctx.notes.add(
      `IPVS ${name}: ${quiesced.map((d) => `${d.addr}:${d.port}`).join(', ')} has weight 0 (quiesced, e.g. a terminating pod): new connections avoid it, its existing connections go on; once it is removed, ${after}`,
    );
  }
  if (sch.dests.length === 0) {
    const quiesced = svc.dests.length > 0;
    const i = w.hop(ns, {
      stage: 'ip_vs_schedule',
      detail: name,
      verdict: 'reject',
      note: quiesced
        ? `every real server of ${name} has weight 0 (quiesced): ip_vs_leave answers ICMP port unreachable`
        : `${name} has no real server: ip_vs_leave answers ICMP port unreachable`,
    });
    w.end(
      'refused',
      'ipvs-no-real-server',
      `IPVS ${name} on ${ns.node} has ${quiesced ? 'only real servers with weight 0' : 'no real server'} (ipvsadm:${svc.line}): the client gets ICMP port unreachable (connection refused)`,
      i,
    );
    return 'stop';
  }
  const k =
    sch.dests.length === 1
      ? 0
      : ctx.choose(sch.dests.map((d, j) => ({ label: `ipvs ${name} -> ${d.addr}:${d.port}`, p: sch.p[j]! })));
  const d = sch.dests[k]!;
  const src = ns.nodeModel.sourceFiles['ipvsadm'] ?? 'ipvsadm';
  if (d.forward !== 'masq') {
    const i = w.hop(ns, {
      stage: 'ip_vs_schedule',
      detail: name,
      verdict: 'unknown',
      note: `real server ${d.addr}:${d.port} is reached by ${d.forward ?? 'an unknown method'} (${src}:${d.line}); only NAT (masq) is modelled`,
    });
    w.end(
      'unknown',
      'ipvs-forward-method',
      `IPVS ${d.forward ?? '?'} forwarding to ${d.addr} is not modelled`,
      i,
    );
    return 'stop';
  }
  const before = fmt(p);
  // ip_vs_nat_xmit -> ip_vs_nat_send_or_cont: conntrack first, then the new destination
  const look = st.ct?.nsId === ns.id ? st.ct.look : undefined;
  const table = w.ct(ns);
  let ctNote: string;
  if (look?.conn && look.dir === 'ORIGINAL') {
    const conn = look.conn;
    table.unconfirm(conn);
    // IPVS runs before the nat INPUT chain: the source NAT decision is still open for POSTROUTING
    if (hook === 'LOCAL_IN' && !conn.snat) conn.srcDone = false;
    if (nfct) {
      conn.reply.src = d.addr;
      conn.reply.sport = d.port;
      ctNote = `ip_vs_update_conntrack (${sysctlText(ns, 'net.ipv4.vs.conntrack')}): conntrack now expects the reply from ${d.addr}:${d.port}`;
    } else {
      ctNote = `ip_vs_notrack (${sysctlText(ns, 'net.ipv4.vs.conntrack')}): the packet leaves untracked, so iptables NAT (MASQUERADE) does not apply to it and its reply finds no conntrack entry`;
    }
  } else ctNote = 'no conntrack entry';
  p.dst = d.addr;
  p.dport = d.port;
  handled.add(p);
  if (look?.conn && look.dir === 'ORIGINAL')
    table.carry(
      p,
      nfct ? { conn: look.conn, dir: 'ORIGINAL', state: 'NEW' } : { dir: 'ORIGINAL', state: 'UNTRACKED' },
    );
  let list = conns.get(ctx);
  if (!list) conns.set(ctx, (list = []));
  list.push({
    nsId: ns.id,
    proto: p.proto,
    caddr: p.src,
    cport: p.sport,
    vaddr: svc.addr ?? '',
    vport: svc.port ?? 0,
    daddr: d.addr,
    dport: d.port,
    nfct,
  });
  ctx.endpoint = `${d.addr}:${d.port}`;
  const local = ns.addrs.some((a) => a.ipStr === d.addr);
  w.hop(ns, {
    stage: 'ip_vs_nat_xmit',
    detail: `${name} ${svc.scheduler ?? ''}`.trim(),
    rule: {
      source: src,
      line: d.line,
      text: `-a ${svc.proto ? `-${svc.proto[0]}` : '-f'} ${svc.addr ? `${svc.addr}:${svc.port}` : svc.fwmark} -r ${d.addr}:${d.port} -m -w ${d.weight ?? 1}`,
      table: 'ipvs',
      chain: name,
    },
    verdict: 'continue',
    before,
    after: fmt(p),
    note: `IPVS schedules ${d.addr}:${d.port}${sch.dests.length > 1 ? ` (1 of ${sch.dests.length})` : ''}; ${ctNote}${local ? '; the real server is local: delivered here' : hook === 'LOCAL_IN' ? '; sent out again through LOCAL_OUT and POSTROUTING' : ''}`,
  });
  return local ? 'local' : 'out';
}

/** The IPVS connection a packet from a real server to its client is the reply of (ip_vs_conn_out_get). */
function replyConn(ctx: WalkCtx, ns: SimNs, p: Packet) {
  return conns
    .get(ctx)
    ?.find(
      (x) =>
        x.nsId === ns.id &&
        x.proto === p.proto &&
        x.daddr === p.src &&
        x.dport === p.sport &&
        x.caddr === p.dst &&
        x.cport === p.dport,
    );
}

/**
 * ip_vs_reply4 (LOCAL_IN, FORWARD) / ip_vs_local_reply4 (LOCAL_OUT): a packet from a real
 * server to a client of one of this namespace's IPVS connections gets the virtual
 * address back as its source (handle_response).
 */
export function ipvsReply(
  ctx: WalkCtx,
  w: IpvsWalk,
  ns: SimNs,
  st: IpvsPkt,
  hook: 'LOCAL_IN' | 'FORWARD' | 'LOCAL_OUT',
): void {
  const p = st.p;
  if (ctx.leg !== 'reply' || handled.has(p)) return;
  const c = replyConn(ctx, ns, p);
  if (!c) return;
  const before = fmt(p);
  p.src = c.vaddr;
  p.sport = c.vport;
  handled.add(p);
  w.hop(ns, {
    stage: hook === 'LOCAL_OUT' ? 'ip_vs_local_reply4' : 'ip_vs_reply4',
    detail: hook,
    verdict: 'continue',
    before,
    after: fmt(p),
    note: `IPVS handle_response: the reply of ${c.vaddr}:${c.vport} -> ${c.daddr}:${c.dport} gets the virtual address back as its source`,
  });
}

/**
 * A reply bridged without netfilter (`where` = bridge and node): if it belongs to an IPVS
 * connection, ip_vs_reply4 never sees it and the client gets it from the real server's address.
 */
export function ipvsBypass(
  ctx: WalkCtx,
  ns: SimNs,
  p: Packet,
  where: string,
  evidence: string,
): { text: string; note: string } | undefined {
  const c = replyConn(ctx, ns, p);
  if (!c) return undefined;
  return {
    text: `the reply ${p.src}:${p.sport} > ${p.dst}:${p.dport} is bridged on ${where} without netfilter (${evidence}), so it never reaches ip_vs_reply4 (NF_INET_FORWARD) and IPVS does not give it the virtual address ${c.vaddr}:${c.vport} back`,
    note: ` — this is the reply of the IPVS connection ${c.vaddr}:${c.vport} -> ${c.daddr}:${c.dport}: ip_vs_reply4 is skipped`,
  };
}
