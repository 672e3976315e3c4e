/**
 * @module sim/walk
 * The packet walk: one SYN (or datagram) from the client socket, through every namespace it
 * crosses, to the server socket, and the answer back. Each function models a kernel function
 * and records a Hop named after it. Netfilter hooks run in kernel priority order
 * (raw -300, conntrack -200, mangle -150, DNAT -100, filter 0, security 50, SNAT 100, confirm),
 * native nftables base chains at their own priorities among them (sim/hook-entries).
 */
import type { Hop, Outcome, Packet, Flow, RuleRef } from './types.js';
import type { World, SimNs, SimLink } from './world.js';
import type { Choose } from './explore.js';
import type { TableName, Rule } from '../model/iptables.js';
import { ConntrackTable, natManipDst, natManipSrc, type CtLookup } from './conntrack.js';
import { evalTable, type EvalVerdict, type Hook, type MatchEnv } from './iptables-eval.js';
import { evalNftChain } from './nft-eval.js';
import { hookPlan, type HookEntry, type NatMember } from './hook-entries.js';
import type { NftRule, NftTable } from '../model/nft.js';
import { fibLookup, addrType, sourceFor } from './routing.js';
import { ipToInt } from '../util/ipv4.js';
import { ipsetTest } from './ipset-match.js';
import { ipvsBypass, ipvsReply, ipvsRequest, type IpvsWalk } from './ipvs.js';
import { missingNode } from './missing-node.js';

export interface WalkResult {
  outcome: Outcome;
  cause: string;
  causeId: string;
  at?: { leg: 'request' | 'reply'; index: number };
}

interface PktState {
  p: Packet;
  /** conntrack lookup of this packet in the namespace it is in */
  ct?: { nsId: string; look: CtLookup };
  /** the inner packet when this is a VXLAN outer packet */
  inner?: Packet;
}

export interface WalkCtx {
  world: World;
  choose: Choose;
  flow: Required<Flow>;
  clientNs: SimNs;
  leg: 'request' | 'reply';
  hops: { request: Hop[]; reply: Hop[] };
  ct: Map<string, ConntrackTable>;
  result?: WalkResult;
  notes: Set<string>;
  endpoint?: string;
  endpointNode?: string;
  /** the explanation of a reply that skipped conntrack, kept for the client's verdict */
  bypass?: { text: string; causeId: string; index: number };
  steps: number;
  /** `-m recent` lists the client is in (a returning client with session affinity) */
  recent?: (name: string) => boolean | undefined;
}

const fmt = (p: Packet) =>
  `${p.proto} ${p.src}:${p.sport} > ${p.dst}:${p.dport}${p.flags ? ` [${p.flags}]` : ''}${p.mark ? ` mark=0x${p.mark.toString(16)}` : ''}`;

function hop(ctx: WalkCtx, ns: SimNs, h: Omit<Hop, 'node' | 'ns'>): number {
  const list = ctx.hops[ctx.leg];
  list.push({ node: ns.node, ns: ns.kind === 'host' ? 'host' : ns.name, ...h });
  return list.length - 1;
}

function end(ctx: WalkCtx, outcome: Outcome, causeId: string, cause: string, index?: number): void {
  if (ctx.result) return;
  ctx.result = { outcome, causeId, cause, at: index === undefined ? undefined : { leg: ctx.leg, index } };
}

/** the walk's recorders, for sim/ipvs */
function ipvsWalk(ctx: WalkCtx): IpvsWalk {
  return { hop: (ns, h) => hop(ctx, ns, h), end: (...a) => end(ctx, ...a), ct: (ns) => ctTable(ctx, ns) };
}

function ctTable(ctx: WalkCtx, ns: SimNs): ConntrackTable {
  let t = ctx.ct.get(ns.id);
  if (!t) {
    t = new ConntrackTable();
    ctx.ct.set(ns.id, t);
  }
  return t;
}

function ruleRef(ns: SimNs, source: string, table: string, chain: string, r: Rule): RuleRef {
  return { source, line: r.line, text: `-A ${chain} ${r.text}`, table, chain };
}

function sysctlEvidence(ns: SimNs, name: string): string {
  const v = ns.sysctl(name);
  const line = ns.sysctlLine(name);
  const src = ns.nodeModel.sourceFiles['sysctl'] ?? 'sysctl';
  return `${name} = ${v ?? '?'}${line ? ` (${src}:${line})` : ''}`;
}

// ---------------------------------------------------------------- netfilter hooks

interface HookEnv {
  inDev?: string;
  outDev?: string;
  physIn?: string;
  physOut?: string;
  bridged?: boolean;
  /** route chosen for the packet (MASQUERADE picks the source from it) */
  via?: string;
}

/** nf_hook_slow over the hook's entries in priority order (sim/hook-entries). Returns false when the packet went no further. */
function runHook(ctx: WalkCtx, ns: SimNs, hook: Hook, st: PktState, env: HookEnv, stagePrefix = ''): boolean {
  const nf = ns.netfilter;
  if (ns.kind === 'pod' && nf.rulesets.length === 0 && !nf.nft) return true; // no rules, no conntrack users
  if (!nf.known) {
    const i = hop(ctx, ns, {
      stage: `nf_hook ${hook}`,
      verdict: 'unknown',
      note: `no iptables-save in the snapshot of ${ns.node}`,
    });
    end(
      ctx,
      'unknown',
      'missing-iptables',
      `the rule set of node ${ns.node} is unknown (no iptables-save in its snapshot)`,
      i,
    );
    return false;
  }
  const p = st.p;
  let untracked = false;
  const plan = hookPlan(nf, hook);
  for (const s of plan.skipped) ctx.notes.add(s);
  for (const entry of plan.entries) {
    if (entry.kind === 'conntrack') {
      if (untracked) continue;
      if (!conntrackIn(ctx, ns, hook, st, env, stagePrefix)) return false;
      continue;
    }
    if (entry.kind === 'confirm') {
      if (st.ct?.nsId === ns.id && st.ct.look.conn && !st.ct.look.conn.confirmed) {
        ctTable(ctx, ns).confirm(st.ct.look.conn);
      }
      continue;
    }
    const look = st.ct?.nsId === ns.id ? st.ct.look : undefined;
    if (entry.kind === 'nat') {
      if (!look?.conn) continue;
      const conn = look.conn;
      const dstHook = hook === 'PREROUTING' || hook === 'OUTPUT';
      const done = dstHook ? conn.dstDone : conn.srcDone;
      if (look.state === 'NEW' && look.dir === 'ORIGINAL' && !done) {
        // nf_nat_inet_fn: nat tables and nat chains are consulted for the first packet only,
        // in their priority order, until one binds
        for (const m of entry.members) {
          const res = evalMember(ctx, ns, m, hook, p, env, look);
          if (!res) continue;
          if (stopsAt(ctx, ns, `${stagePrefix}nf_nat_inet_fn`, res.view, env)) return false;
          const v = res.nat;
          if (v) {
            bindNat(ctx, ns, conn, v, p, env, hook);
            hop(ctx, ns, {
              stage: `${stagePrefix}nf_nat_setup_info`,
              detail: `nat ${hook}`,
              rule: res.view.ref,
              verdict: 'continue',
              note: natNote(conn, v.v),
            });
            break;
          }
        }
        if (dstHook) conn.dstDone = true;
        else conn.srcDone = true;
      }
      if (dstHook) natDst(ctx, ns, st, hook, stagePrefix);
      else natSrc(ctx, ns, st, hook, stagePrefix);
      continue;
    }
    const res = evalMember(ctx, ns, entry, hook, p, env, look);
    if (!res) continue;
    if (res.notrack) untracked = true;
    const v = res.view;
    if (v.v === 'ACCEPT') {
      if (v.ref && (v.table === 'filter' || hook === 'FORWARD' || entry.kind === 'nft'))
        hop(ctx, ns, {
          stage: `${stagePrefix}${res.stage}`,
          detail: v.detail,
          device: env.outDev ?? env.inDev,
          rule: v.ref,
          verdict: 'accept',
        });
      continue;
    }
    if (stopsAt(ctx, ns, `${stagePrefix}${res.stage}`, v, env)) return false;
  }
  return true;
}

/** nf_conntrack_in: look the packet up (or create an unconfirmed entry); false when the table is full. */
function conntrackIn(
  ctx: WalkCtx,
  ns: SimNs,
  hook: Hook,
  st: PktState,
  env: HookEnv,
  stagePrefix: string,
): boolean {
  const p = st.p;
  const look = ctTable(ctx, ns).lookup(p);
  st.ct = { nsId: ns.id, look };
  if (look.state === 'NEW' && look.conn && !look.conn.confirmed && ns.kind === 'host') {
    const count = Number(ns.sysctl('net.netfilter.nf_conntrack_count'));
    const max = Number(ns.sysctl('net.netfilter.nf_conntrack_max'));
    const evictable = ns.model?.conntrack?.some((e) => !e.flags.includes('ASSURED')) ?? false; // early_drop evicts a non-ASSURED entry
    if (
      Number.isFinite(count) &&
      Number.isFinite(max) &&
      max > 0 &&
      count + ctTable(ctx, ns).entries.length >= max &&
      !evictable
    ) {
      const i = hop(ctx, ns, {
        stage: `${stagePrefix}nf_conntrack_in`,
        device: env.inDev,
        verdict: 'drop',
        note: `__nf_conntrack_alloc: table full (${sysctlEvidence(ns, 'net.netfilter.nf_conntrack_count')}, ${sysctlEvidence(ns, 'net.netfilter.nf_conntrack_max')}): "nf_conntrack: table full, dropping packet"`,
      });
      end(
        ctx,
        'timeout',
        'conntrack-table-full',
        `the conntrack table of ${ns.node} is full (${count}/${max}): new connections are dropped`,
        i,
      );
      return false;
    }
  }
  hop(ctx, ns, {
    stage: `${stagePrefix}nf_conntrack_in`,
    device: env.inDev,
    detail: hook,
    verdict: 'continue',
    note: `ctstate ${look.state}${look.conn && look.state !== 'NEW' ? ` (${look.dir.toLowerCase()} direction of ${look.conn.orig.src}:${look.conn.orig.sport} > ${look.conn.orig.dst}:${look.conn.orig.dport})` : ''}`,
    before: fmt(p),
  });
  return true;
}

/** A verdict, whichever engine gave it, as the walk shows it. */
interface VerdictView {
  v: EvalVerdict['v'];
  ref?: RuleRef;
  /** `source:line` of the rule (or the source alone for a policy) */
  where: string;
  why?: string;
  with?: string;
  policy?: boolean;
  /** iptables table name, or `ip kube-proxy` for an nft table */
  table: string;
  detail: string;
  hook: Hook;
  source: string;
  /** policy verdicts of nft base chains: which chain */
  chain?: string;
}

interface MemberResult {
  view: VerdictView;
  stage: string;
  notrack: boolean;
  /** a NAT verdict for bindNat (iptables shape) */
  nat?: Extract<EvalVerdict, { target: unknown }>;
}

function iptView(source: string, table: TableName, hook: Hook, v: EvalVerdict, ns: SimNs): VerdictView {
  const rule = 'rule' in v ? v.rule : undefined;
  return {
    v: v.v,
    ref: rule ? ruleRef(ns, source, table, v.chain, rule) : undefined,
    where: rule ? `${source}:${rule.line}` : source,
    why: v.v === 'UNKNOWN' ? v.why : undefined,
    with: v.v === 'REJECT' ? v.with : undefined,
    policy: 'policy' in v ? v.policy : undefined,
    table,
    detail: `${table} ${hook}`,
    hook,
    source,
  };
}

function nftRef(source: string, t: NftTable, chain: string, r: NftRule): RuleRef {
  return {
    source,
    line: r.item,
    text: `add rule ${t.family} ${t.name} ${chain} ${r.text}`,
    table: `${t.family} ${t.name}`,
    chain,
  };
}

/** Evaluates one iptables table or one nft base chain of a hook entry. */
function evalMember(
  ctx: WalkCtx,
  ns: SimNs,
  m: NatMember | Exclude<HookEntry, { kind: 'conntrack' | 'confirm' | 'nat' }>,
  hook: Hook,
  p: Packet,
  env: HookEnv,
  look: CtLookup | undefined,
): MemberResult | undefined {
  if (m.kind === 'ipt') {
    const table: TableName = 'table' in m ? m.table : 'nat';
    const res = evalTableAt(ctx, ns, m.rs, table, hook, p, env, look);
    if (!res) return undefined;
    recordTrail(ctx, ns, m.source, table, hook, res.trail, env);
    const v = res.verdict;
    const nat =
      v.v === 'DNAT' || v.v === 'SNAT' || v.v === 'MASQUERADE' || v.v === 'REDIRECT' ? v : undefined;
    return { view: iptView(m.source, table, hook, v, ns), stage: 'ipt_do_table', notrack: res.notrack, nat };
  }
  const { table: t, chain, source } = m;
  const menv = matchEnv(ctx, ns, hook, env, look);
  const res = evalNftChain(t, chain, p, menv);
  for (const n of menv.notes) ctx.notes.add(n);
  if (res.ctMark !== undefined && look?.conn) look.conn.mark = res.ctMark;
  const label = `${t.family} ${t.name}`;
  const detail = `${label} ${chain.name} (${chain.base!.type} ${hook} priority ${chain.base!.priority})`;
  for (const e of res.trail) {
    if (
      e.what === 'mark' ||
      e.what === 'ct mark' ||
      /^(service|endpoint|external|firewall)-[A-Z2-7]{8}-/.test(e.target ?? '')
    )
      hop(ctx, ns, {
        stage: 'nft_do_chain',
        detail,
        device: env.outDev ?? env.inDev,
        rule: nftRef(source, t, e.chain, e.rule),
        verdict: 'continue',
        note: e.what === 'mark' || e.what === 'ct mark' ? e.what.toUpperCase().replace(' ', '') : undefined,
      });
  }
  const v = res.verdict;
  const view: VerdictView = {
    v: v.v,
    ref: v.rule ? nftRef(source, t, v.chain, v.rule) : undefined,
    where: v.rule ? `${source}:${v.rule.item}` : source,
    why: v.v === 'UNKNOWN' ? v.why : undefined,
    with: v.v === 'REJECT' ? v.with : undefined,
    policy: 'policy' in v ? v.policy : undefined,
    table: label,
    detail,
    hook,
    source,
    chain: chain.name,
  };
  let nat: MemberResult['nat'];
  if (v.v === 'DNAT' || v.v === 'SNAT' || v.v === 'MASQUERADE' || v.v === 'REDIRECT')
    nat = {
      v: v.v,
      target: v.target,
      rule: { line: v.rule.item, text: v.rule.text, matches: [] },
      chain: v.chain,
    };
  return { view, stage: 'nft_do_chain', notrack: res.notrack, nat };
}

/** A verdict that ends the packet's way here (UNKNOWN, DROP, QUEUE, REJECT): record the hop and the outcome. */
function stopsAt(ctx: WalkCtx, ns: SimNs, stage: string, v: VerdictView, env: HookEnv): boolean {
  const { ref, detail, hook, table, source } = v;
  if (v.v === 'UNKNOWN') {
    const i = hop(ctx, ns, { stage, detail, rule: ref, verdict: 'unknown', note: v.why });
    end(ctx, 'unknown', 'unsupported-rule', `the model cannot evaluate ${v.where} (${v.why})`, i);
    return true;
  }
  if (v.v === 'DROP' || v.v === 'QUEUE') {
    const policy = v.policy;
    const i = hop(ctx, ns, {
      stage,
      detail,
      device: env.outDev ?? env.inDev,
      rule: ref,
      verdict: 'drop',
      note: policy
        ? v.chain
          ? `policy drop of base chain ${v.chain} (no rule accepted the packet)`
          : `policy DROP of ${detail} (no rule accepted the packet)`
        : undefined,
    });
    const cause = policy
      ? v.chain
        ? `dropped by the policy drop of nft base chain ${v.chain} (table ${table}, hook ${hook}) on ${ns.node} (${source})`
        : `dropped by the ${hook} policy DROP of the ${table} table on ${ns.node} (${source})`
      : `dropped by ${v.where}: ${ref?.text}`;
    end(ctx, 'timeout', policy ? `${hook.toLowerCase()}-policy-drop` : 'rule-drop', cause, i);
    return true;
  }
  if (v.v === 'REJECT') {
    const i = hop(ctx, ns, {
      stage,
      detail,
      rule: ref,
      verdict: 'reject',
      note: `REJECT --reject-with ${v.with}`,
    });
    reject(ctx, ns, v.with ?? 'icmp-port-unreachable', v.where, ref?.text ?? '', i);
    return true;
  }
  return false;
}

function matchEnv(ctx: WalkCtx, ns: SimNs, hook: Hook, env: HookEnv, look: CtLookup | undefined): MatchEnv {
  return {
    hook,
    inDev: env.inDev,
    outDev: env.outDev,
    physIn: env.physIn,
    physOut: env.physOut,
    bridged: env.bridged ?? false,
    ctState: look?.state ?? 'UNTRACKED',
    ctDnat: look?.conn?.dnat ?? false,
    ctSnat: look?.conn?.snat ?? false,
    ctDir: look?.dir ?? 'ORIGINAL',
    ctMark: look?.conn?.mark ?? 0,
    addrType: (ip) => addrType(ns, ip),
    choose: ctx.choose,
    notes: [],
    ipset: (name, flags, pk) => ipsetTest(ns.model?.ipsets, name, flags, pk, ns.node),
    recent: ctx.recent,
  };
}

function evalTableAt(
  ctx: WalkCtx,
  ns: SimNs,
  rs: import('../model/iptables.js').Ruleset,
  table: TableName,
  hook: Hook,
  p: Packet,
  env: HookEnv,
  look: CtLookup | undefined,
) {
  const menv = matchEnv(ctx, ns, hook, env, look);
  const r = evalTable(rs, table, hook, p, menv);
  for (const n of menv.notes) ctx.notes.add(n);
  return r;
}

function recordTrail(
  ctx: WalkCtx,
  ns: SimNs,
  source: string,
  table: TableName,
  hook: Hook,
  trail: { rule: Rule; chain: string }[],
  env: HookEnv,
): void {
  for (const t of trail) {
    const tg = t.rule.target;
    if (tg?.t === 'MARK')
      hop(ctx, ns, {
        stage: 'ipt_do_table',
        detail: `${table} ${hook}`,
        device: env.outDev ?? env.inDev,
        rule: ruleRef(ns, source, table, t.chain, t.rule),
        verdict: 'continue',
        note: 'MARK',
      });
    else if (tg?.t === 'jump' && /KUBE-(SVC|SEP|EXT|FW|SVL|XLB)-/.test(tg.chain))
      hop(ctx, ns, {
        stage: 'ipt_do_table',
        detail: `${table} ${hook}`,
        rule: ruleRef(ns, source, table, t.chain, t.rule),
        verdict: 'continue',
      });
  }
}

function natNote(conn: import('./conntrack.js').Conn, kind: string): string {
  if (kind === 'DNAT' || kind === 'REDIRECT')
    return `${kind} ${conn.orig.dst}:${conn.orig.dport} -> ${conn.reply.src}:${conn.reply.sport}; conntrack expects the reply from ${conn.reply.src}:${conn.reply.sport}`;
  return `${kind} ${conn.orig.src}:${conn.orig.sport} -> ${conn.reply.dst}:${conn.reply.dport}`;
}

/** nf_nat_setup_info: the binding of a NAT rule, recorded in the conntrack reply tuple. */
function bindNat(
  ctx: WalkCtx,
  ns: SimNs,
  conn: import('./conntrack.js').Conn,
  v: import('./iptables-eval.js').EvalVerdict,
  p: Packet,
  env: HookEnv,
  hook: Hook,
): void {
  if (!('target' in v)) return;
  const tg = v.target;
  if (tg.t === 'DNAT') {
    conn.reply.src = tg.to.addrFrom ?? p.dst;
    conn.reply.sport = tg.to.portFrom ?? p.dport;
    conn.dnat = true;
  } else if (tg.t === 'REDIRECT') {
    conn.reply.src =
      hook === 'OUTPUT' ? '127.0.0.1' : (ns.addrs.find((a) => a.ifname === env.inDev)?.ipStr ?? p.dst);
    conn.reply.sport = tg.toPorts?.from ?? p.dport;
    conn.dnat = true;
  } else if (tg.t === 'SNAT') {
    conn.reply.dst = tg.to.addrFrom ?? p.src;
    conn.reply.dport = tg.to.portFrom ?? p.sport;
    conn.snat = true;
  } else if (tg.t === 'MASQUERADE') {
    const r = fibLookup(ns, p.dst, { mark: p.mark });
    const src = sourceFor(ns, r.route, env.outDev ?? r.route?.dev);
    conn.reply.dst = src ?? p.src;
    conn.reply.dport = tg.toPorts?.from ?? p.sport;
    conn.snat = true;
  }
}

function natDst(ctx: WalkCtx, ns: SimNs, st: PktState, hook: Hook, prefix: string): void {
  const look = st.ct?.look;
  if (!look?.conn) return;
  const before = fmt(st.p);
  if (natManipDst(look.conn, look.dir, st.p))
    hop(ctx, ns, {
      stage: `${prefix}nf_nat_ipv4_${hook === 'OUTPUT' ? 'local_fn' : 'pre_routing'}`,
      detail: hook,
      before,
      after: fmt(st.p),
      verdict: 'continue',
      note: look.dir === 'REPLY' ? 'reverse SNAT of a reply (conntrack)' : 'destination NAT',
    });
}

function natSrc(ctx: WalkCtx, ns: SimNs, st: PktState, hook: Hook, prefix: string): void {
  const look = st.ct?.look;
  if (!look?.conn) return;
  const before = fmt(st.p);
  if (natManipSrc(look.conn, look.dir, st.p))
    hop(ctx, ns, {
      stage: `${prefix}nf_nat_ipv4_${hook === 'INPUT' ? 'local_in' : 'out'}`,
      detail: hook,
      before,
      after: fmt(st.p),
      verdict: 'continue',
      note:
        look.dir === 'REPLY'
          ? 'reverse DNAT of a reply (conntrack): the source becomes the Service address again'
          : 'source NAT',
    });
}

/** REJECT target: an ICMP error (or TCP RST) goes back to the sender, which its socket reports. */
function reject(ctx: WalkCtx, ns: SimNs, withType: string, where: string, text: string, index: number): void {
  if (ctx.leg === 'reply') {
    end(ctx, 'timeout', 'reply-rejected', `the reply was rejected at ${where} (${text})`, index);
    return;
  }
  ctx.notes.add(
    'the ICMP error/RST sent by REJECT is assumed to reach the client (it is RELATED to the connection)',
  );
  const refused =
    withType === 'icmp-port-unreachable' || withType === 'tcp-reset' || withType === 'icmp-proto-unreachable';
  end(
    ctx,
    refused ? 'refused' : 'unreachable',
    'rejected',
    `rejected on ${ns.node} by ${where} (${text}) with ${withType}: the client sees ${refused ? 'connection refused' : 'no route to host'}`,
    index,
  );
}

// ---------------------------------------------------------------- output and routing

/** ip_local_out: a packet generated by a socket of `ns`. */
export function ipLocalOut(ctx: WalkCtx, ns: SimNs, st: PktState): void {
  if (ctx.result || ++ctx.steps > 400)
    return void end(ctx, 'unknown', 'loop', 'the walk did not end (routing loop?)');
  const p = st.p;
  let r = fibLookup(ns, p.dst, { mark: p.mark });
  if (!r.route || (r.type !== 'unicast' && r.type !== 'local')) {
    const i = hop(ctx, ns, {
      stage: 'ip_route_output',
      verdict: 'drop',
      before: fmt(p),
      note: `no route to ${p.dst} (${r.type})`,
    });
    return end(
      ctx,
      ctx.leg === 'request' ? 'unreachable' : 'timeout',
      'no-route',
      `${ns.id} has no route to ${p.dst}`,
      i,
    );
  }
  let dev = r.type === 'local' ? 'lo' : r.route.dev;
  hop(ctx, ns, {
    stage: 'ip_route_output',
    device: dev,
    verdict: 'continue',
    before: fmt(p),
    note: `${r.route.gateway ? `via ${r.route.gateway} ` : ''}dev ${dev} (table ${r.table})`,
  });
  const dstBefore = `${p.dst}:${p.dport}`;
  if (!runHook(ctx, ns, 'OUTPUT', st, { outDev: dev })) return;
  if (ipvsRequest(ctx, ipvsWalk(ctx), ns, st, 'LOCAL_OUT') === 'stop') return; // ip_vs_local_request4
  ipvsReply(ctx, ipvsWalk(ctx), ns, st, 'LOCAL_OUT');
  if (`${p.dst}:${p.dport}` !== dstBefore) {
    // ip_route_me_harder: the destination changed in OUTPUT (DNAT)
    r = fibLookup(ns, p.dst, { mark: p.mark });
    if (!r.route) return void end(ctx, 'unreachable', 'no-route', `no route to ${p.dst} after DNAT`);
    dev = r.type === 'local' ? 'lo' : r.route.dev;
    hop(ctx, ns, {
      stage: 'ip_route_me_harder',
      device: dev,
      verdict: 'continue',
      note: `rerouted after DNAT: dev ${dev}`,
    });
  }
  if (!runHook(ctx, ns, 'POSTROUTING', st, { outDev: dev })) return;
  if (dev === 'lo') return ipRcv(ctx, ns, ns.byName.get('lo') ?? loLink(ns), st, false);
  xmit(ctx, ns, dev!, st, r.route.gateway ?? p.dst);
}

function loLink(ns: SimNs): SimLink {
  return { name: 'lo', index: 1, mac: '00:00:00:00:00:00', mtu: 65536, up: true, kind: 'loopback', ns };
}

function forwardingOn(ns: SimNs, inDev: string): { on: boolean | undefined; evidence: string } {
  const per = ns.sysctl(`net.ipv4.conf.${inDev}.forwarding`);
  const glob = ns.sysctl('net.ipv4.ip_forward');
  if (per !== undefined)
    return {
      on: per === '1',
      evidence: sysctlEvidence(
        ns,
        per === '1' || glob === undefined ? `net.ipv4.conf.${inDev}.forwarding` : 'net.ipv4.ip_forward',
      ),
    };
  if (glob !== undefined) return { on: glob === '1', evidence: sysctlEvidence(ns, 'net.ipv4.ip_forward') };
  return { on: undefined, evidence: 'net.ipv4.ip_forward unknown (no sysctl in the snapshot)' };
}

/** ip_rcv -> PREROUTING -> ip_route_input -> ip_local_deliver | ip_forward */
function ipRcv(ctx: WalkCtx, ns: SimNs, dev: SimLink, st: PktState, skipPrerouting: boolean): void {
  if (ctx.result || ++ctx.steps > 400)
    return void end(ctx, 'unknown', 'loop', 'the walk did not end (routing loop?)');
  const p = st.p;
  if (!skipPrerouting) {
    hop(ctx, ns, { stage: 'ip_rcv', device: dev.name, verdict: 'continue', before: fmt(p) });
    if (!runHook(ctx, ns, 'PREROUTING', st, { inDev: dev.name })) return;
  }
  if (!rpFilterOk(ctx, ns, dev.name, p)) return;
  const r = fibLookup(ns, p.dst, { src: p.src, mark: p.mark, iif: dev.name });
  if (r.type === 'local') {
    hop(ctx, ns, {
      stage: 'ip_route_input',
      device: dev.name,
      verdict: 'continue',
      note: `${p.dst} is local: ip_local_deliver`,
    });
    return ipLocalDeliver(ctx, ns, dev, st);
  }
  if (!r.route || r.type !== 'unicast') {
    const i = hop(ctx, ns, {
      stage: 'ip_route_input',
      device: dev.name,
      verdict: 'drop',
      note: `no route to ${p.dst} (${r.type})`,
    });
    return end(
      ctx,
      ctx.leg === 'request' ? 'unreachable' : 'timeout',
      'no-route',
      `${ns.id} has no route to ${p.dst}: ICMP net unreachable`,
      i,
    );
  }
  ipForward(ctx, ns, dev.name, st, r.route, undefined);
}

/** fib_validate_source: reverse-path filter (rp_filter = max(conf.all, conf.<dev>)); 1 strict, 2 loose. */
function rpFilterOk(ctx: WalkCtx, ns: SimNs, dev: string, p: Packet): boolean {
  if (ns.kind === 'pod' && ns.synthetic) return true;
  const all = Number(ns.sysctl('net.ipv4.conf.all.rp_filter') ?? 0);
  const per = Number(ns.sysctl(`net.ipv4.conf.${dev}.rp_filter`) ?? 0);
  const mode = Math.max(all, per);
  if (!mode || dev === 'lo') return true;
  const back = fibLookup(ns, p.src, { mark: p.mark });
  const ok =
    mode === 1
      ? back.type === 'unicast' && back.route?.dev === dev
      : back.type === 'unicast' || back.type === 'local';
  if (ok) return true;
  const which = per >= all ? `net.ipv4.conf.${dev}.rp_filter` : 'net.ipv4.conf.all.rp_filter';
  const i = hop(ctx, ns, {
    stage: 'fib_validate_source',
    device: dev,
    verdict: 'drop',
    note: `reverse path filter (${sysctlEvidence(ns, which)}${mode === 1 ? ', strict' : ', loose'}): the route back to ${p.src} ${back.route?.dev ? `leaves by ${back.route.dev}, not ${dev}` : 'does not exist'}`,
  });
  end(
    ctx,
    'timeout',
    'rp-filter',
    `${ns.node} drops packets from ${p.src} arriving on ${dev}: rp_filter ${mode === 1 ? 'strict' : 'loose'} and the route back to ${p.src} ${back.route?.dev ? `leaves by ${back.route.dev}` : 'is missing'}`,
    i,
  );
  return false;
}

function ipForward(
  ctx: WalkCtx,
  ns: SimNs,
  inDev: string,
  st: PktState,
  route: import('./world.js').SimRoute,
  physIn: string | undefined,
): void {
  const p = st.p;
  const fw = forwardingOn(ns, inDev);
  if (fw.on === undefined) {
    const i = hop(ctx, ns, { stage: 'ip_forward', device: inDev, verdict: 'unknown', note: fw.evidence });
    return end(
      ctx,
      'unknown',
      'missing-sysctl',
      `cannot tell whether ${ns.node} forwards: ${fw.evidence}`,
      i,
    );
  }
  if (!fw.on) {
    const i = hop(ctx, ns, {
      stage: 'ip_route_input',
      device: inDev,
      verdict: 'drop',
      note: `forwarding disabled: ${fw.evidence}; ip_error drops the packet silently`,
    });
    return end(ctx, 'timeout', 'ip-forward-disabled', `${ns.node} does not forward: ${fw.evidence}`, i);
  }
  const out = route.dev!;
  hop(ctx, ns, {
    stage: 'ip_forward',
    device: out,
    verdict: 'continue',
    note: `${route.gateway ? `via ${route.gateway} ` : ''}dev ${out}`,
    before: fmt(p),
  });
  p.ttl--;
  if (p.ttl <= 0) return void end(ctx, 'unreachable', 'ttl', 'TTL exceeded');
  if (!runHook(ctx, ns, 'FORWARD', st, { inDev, outDev: out, physIn })) return;
  ipvsReply(ctx, ipvsWalk(ctx), ns, st, 'FORWARD');
  if (!runHook(ctx, ns, 'POSTROUTING', st, { inDev, outDev: out, physIn })) return;
  xmit(ctx, ns, out, st, route.gateway ?? p.dst);
}

function ipLocalDeliver(ctx: WalkCtx, ns: SimNs, dev: SimLink, st: PktState): void {
  if (!runHook(ctx, ns, 'INPUT', st, { inDev: dev.name })) return;
  const vs = ipvsRequest(ctx, ipvsWalk(ctx), ns, st, 'LOCAL_IN'); // ip_vs_remote_request4
  if (vs === 'stop') return;
  if (vs === 'out') return ipLocalOut(ctx, ns, st);
  ipvsReply(ctx, ipvsWalk(ctx), ns, st, 'LOCAL_IN');
  const p = st.p;
  if (st.inner && p.proto === 'udp') {
    const vx = ns.links.find((l) => l.kind === 'vxlan' && l.vxlan?.port === p.dport);
    if (vx) {
      hop(ctx, ns, {
        stage: 'vxlan_rcv',
        device: vx.name,
        verdict: 'continue',
        note: `decapsulated VNI ${vx.vxlan?.id}: ${fmt(st.inner)}`,
      });
      return ipRcv(ctx, ns, vx, { p: { ...st.inner, mark: 0 } }, false); // skb->mark stays on the sending node
    }
    const i = hop(ctx, ns, {
      stage: 'udp_rcv',
      verdict: 'drop',
      note: `no VXLAN device listens on UDP ${p.dport}`,
    });
    return end(ctx, 'timeout', 'vxlan-no-device', `${ns.node} has no VXLAN device on port ${p.dport}`, i);
  }
  socketDeliver(ctx, ns, dev, st);
}

// ---------------------------------------------------------------- L2: devices, neighbours, bridge

/** neigh_resolve_output within the L2 segment that `link` leads to: the MAC owning `ip`. */
function resolveNeighbour(ctx: WalkCtx, ns: SimNs, link: SimLink, ip: string): string | undefined {
  const known = ns.neigh.get(`${link.name}|${ip}`);
  if (known) return known;
  const n = ipToInt(ip)!;
  const owns = (x: SimNs, l: SimLink) => x.addrs.some((a) => a.ip === n && a.ifname === l.name);
  if (link.kind === 'bridge') {
    for (const port of ns.links) {
      if (port.master !== link.name || !port.peer) continue;
      if (owns(port.peer.ns, port.peer.link)) return port.peer.link.mac;
    }
    return undefined;
  }
  if (link.peer) {
    const { ns: pns, link: pl } = link.peer;
    if (owns(pns, pl)) return pl.mac;
    if (pl.master) {
      const br = pns.byName.get(pl.master);
      if (br && owns(pns, br)) return br.mac;
      if (br) return resolveNeighbour(ctx, pns, br, ip);
    }
  }
  return undefined;
}

/** dev_queue_xmit on `dev` towards next hop `nh`. */
function xmit(ctx: WalkCtx, ns: SimNs, devName: string, st: PktState, nh: string): void {
  if (ctx.result) return;
  const p = st.p;
  const dev = ns.byName.get(devName);
  if (!dev) {
    const i = hop(ctx, ns, {
      stage: 'dev_queue_xmit',
      device: devName,
      verdict: 'unknown',
      note: `device ${devName} is not in the snapshot`,
    });
    return end(ctx, 'unknown', 'missing-device', `device ${devName} of ${ns.id} is not in the snapshot`, i);
  }
  if (!dev.up) {
    const i = hop(ctx, ns, {
      stage: 'dev_queue_xmit',
      device: devName,
      verdict: 'drop',
      note: `${devName} is down`,
    });
    return end(ctx, 'timeout', 'link-down', `${devName} on ${ns.id} is down`, i);
  }
  if (dev.kind === 'loopback') return ipRcv(ctx, ns, dev, st, false);
  if (dev.kind === 'vxlan') return vxlanXmit(ctx, ns, dev, st, nh);
  // a veth whose peer is in no snapshot (e.g. a node's uplink into a fabric) is an underlay wire
  if (dev.kind === 'bridge' || (dev.kind === 'veth' && dev.peer)) {
    const mac = resolveNeighbour(ctx, ns, dev, nh);
    if (!mac) {
      const i = hop(ctx, ns, {
        stage: 'neigh_resolve_output',
        device: devName,
        verdict: 'drop',
        note: `nobody answers ARP for ${nh} on ${devName}`,
      });
      return end(
        ctx,
        ctx.leg === 'request' ? 'unreachable' : 'timeout',
        'arp-failed',
        `ARP for ${nh} on ${ns.id} ${devName} gets no answer`,
        i,
      );
    }
    p.dstMac = mac;
    p.srcMac = dev.mac;
    if (dev.kind === 'bridge') {
      // br_dev_xmit: the bridge device transmits; FDB picks the port (no hairpin check: skb->dev is the bridge)
      const port = portForMac(ns, dev, mac);
      if (!port?.peer) {
        const i = hop(ctx, ns, {
          stage: 'br_dev_xmit',
          device: devName,
          verdict: 'drop',
          note: `no port of ${devName} leads to ${mac}`,
        });
        return end(ctx, 'timeout', 'fdb-miss', `no port of ${devName} leads to ${nh}`, i);
      }
      hop(ctx, ns, {
        stage: 'br_dev_xmit',
        device: port.name,
        verdict: 'continue',
        note: `fdb ${mac} -> ${port.name}`,
        before: fmt(p),
      });
      return frameIn(ctx, port.peer.ns, port.peer.link, st);
    }
    if (!dev.peer) {
      const i = hop(ctx, ns, {
        stage: 'veth_xmit',
        device: devName,
        verdict: 'unknown',
        note: `the peer of ${devName} is not in the snapshot`,
      });
      return end(
        ctx,
        'unknown',
        'missing-peer',
        `the peer of ${ns.id} ${devName} is not in the snapshots`,
        i,
      );
    }
    hop(ctx, ns, {
      stage: 'veth_xmit',
      device: devName,
      verdict: 'continue',
      before: fmt(p),
      note: `to ${dev.peer.ns.id} ${dev.peer.link.name}`,
    });
    return frameIn(ctx, dev.peer.ns, dev.peer.link, st);
  }
  // an underlay interface: the peer is the namespace (node) that owns the next hop
  const target = ctx.world.owner(nh);
  if (!target) {
    const m = missingNode(ctx.world, ns, devName, nh, p, st.inner);
    const i = hop(ctx, ns, {
      stage: 'dev_queue_xmit',
      device: devName,
      verdict: m.outcome === 'unknown' ? 'unknown' : 'drop',
      note: m.note,
    });
    return end(ctx, m.outcome, m.causeId, m.cause, i);
  }
  if (target === ns) {
    const i = hop(ctx, ns, {
      stage: 'dev_queue_xmit',
      device: devName,
      verdict: 'unknown',
      note: `next hop ${nh} is not an address of any snapshot`,
    });
    return end(
      ctx,
      'unknown',
      'missing-node',
      `next hop ${nh} (via ${devName} of ${ns.node}) belongs to no node in the snapshots`,
      i,
    );
  }
  const tl =
    target.links.find((l) => target.addrs.some((a) => a.ifname === l.name && a.ipStr === nh)) ??
    target.links[0]!;
  hop(ctx, ns, {
    stage: 'dev_queue_xmit',
    device: devName,
    verdict: 'continue',
    before: fmt(p),
    note: `on the wire to ${target.node} ${tl.name}`,
  });
  p.mark = 0; // skb->mark stays on the sending node
  ipRcv(ctx, target, tl, st, false);
}

function portForMac(ns: SimNs, br: SimLink, mac: string): SimLink | undefined {
  const m = mac.toLowerCase();
  for (const port of ns.links) {
    if (port.master !== br.name) continue;
    if (port.peer && port.peer.link.mac.toLowerCase() === m) return port;
  }
  const f = ns.fdb.find((e) => e.mac === m && ns.byName.get(e.ifname)?.master === br.name);
  return f ? ns.byName.get(f.ifname) : undefined;
}

/** vxlan_xmit: neighbour + FDB give the remote VTEP; the outer UDP packet is sent by this node. */
function vxlanXmit(ctx: WalkCtx, ns: SimNs, dev: SimLink, st: PktState, nh: string): void {
  const mac = ns.neigh.get(`${dev.name}|${nh}`);
  if (!mac) {
    const i = hop(ctx, ns, {
      stage: 'neigh_resolve_output',
      device: dev.name,
      verdict: 'drop',
      note: `no neighbour entry for ${nh} on ${dev.name} (flannel writes them permanent)`,
    });
    return end(
      ctx,
      ctx.leg === 'request' ? 'unreachable' : 'timeout',
      'vxlan-no-neigh',
      `${ns.node} has no neighbour for ${nh} on ${dev.name}`,
      i,
    );
  }
  const fdb = ns.fdb.find((f) => f.ifname === dev.name && f.mac === mac.toLowerCase() && f.dst);
  if (!fdb?.dst) {
    const i = hop(ctx, ns, {
      stage: 'vxlan_xmit',
      device: dev.name,
      verdict: 'drop',
      note: `no FDB entry with a remote for ${mac} on ${dev.name}`,
    });
    return end(ctx, 'timeout', 'vxlan-no-fdb', `${ns.node} ${dev.name} has no FDB entry for ${mac}`, i);
  }
  const inner = st.p;
  const local = dev.vxlan?.local ?? sourceFor(ns, undefined, undefined) ?? '0.0.0.0';
  const outer: Packet = {
    proto: 'udp',
    src: local,
    dst: fdb.dst,
    sport: 40000 + (inner.sport % 20000),
    dport: dev.vxlan?.port ?? 8472,
    flags: '',
    mark: 0,
    ttl: 64,
  };
  hop(ctx, ns, {
    stage: 'vxlan_xmit',
    device: dev.name,
    verdict: 'continue',
    before: fmt(inner),
    after: fmt(outer),
    note: `encapsulated VNI ${dev.vxlan?.id} to ${fdb.dst}`,
  });
  ipLocalOut(ctx, ns, { p: outer, inner });
}

/** A frame arriving on `link` of `ns`. */
function frameIn(ctx: WalkCtx, ns: SimNs, link: SimLink, st: PktState): void {
  if (ctx.result) return;
  if (link.master) {
    const br = ns.byName.get(link.master);
    if (br?.kind === 'bridge') return brHandleFrame(ctx, ns, br, link, st);
  }
  ipRcv(ctx, ns, link, st, false);
}

function brNetfilter(ns: SimNs, br: SimLink): { active: boolean | undefined; evidence: string } {
  const known = ns.model?.known.has('sysctl') ?? false;
  const v = ns.sysctl('net.bridge.bridge-nf-call-iptables');
  if (br.nfCallIptables && v !== undefined)
    return { active: true, evidence: `bridge ${br.name} has nf_call_iptables 1` };
  if (v !== undefined)
    return { active: v === '1', evidence: sysctlEvidence(ns, 'net.bridge.bridge-nf-call-iptables') };
  if (!known)
    return {
      active: undefined,
      evidence: 'net.bridge.bridge-nf-call-iptables unknown (no sysctl in the snapshot)',
    };
  return { active: false, evidence: 'br_netfilter is not loaded (no net.bridge.* sysctls)' };
}

/** br_handle_frame -> (br_nf_pre_routing) -> local (br_pass_frame_up) or br_forward. */
function brHandleFrame(ctx: WalkCtx, ns: SimNs, br: SimLink, port: SimLink, st: PktState): void {
  const p = st.p;
  const toHost = (p.dstMac ?? '').toLowerCase() === br.mac.toLowerCase();
  const nf = brNetfilter(ns, br);
  if (nf.active === undefined) {
    const i = hop(ctx, ns, {
      stage: 'br_handle_frame',
      device: port.name,
      verdict: 'unknown',
      note: nf.evidence,
    });
    return end(
      ctx,
      'unknown',
      'missing-sysctl',
      `cannot tell whether bridged frames meet netfilter on ${ns.node}: ${nf.evidence}`,
      i,
    );
  }
  hop(ctx, ns, {
    stage: 'br_handle_frame',
    device: port.name,
    verdict: 'continue',
    before: fmt(p),
    note: `${toHost ? `to the bridge's own MAC (${br.name}): up to the IP stack` : `dst MAC ${p.dstMac} is a port of ${br.name}: forwarded at layer 2`}; ${nf.active ? 'br_netfilter calls the IPv4 hooks' : `IPv4 hooks NOT called for bridged frames (${nf.evidence})`}`,
  });
  if (!nf.active) {
    if (!toHost) {
      const conn = ctTable(ctx, ns).peekReply(p);
      if (conn && conn.dnat) {
        const i = ctx.hops[ctx.leg].length - 1;
        ctx.bypass = {
          index: i,
          causeId: 'reply-bypassed-conntrack',
          text: `the reply ${p.src}:${p.sport} > ${p.dst}:${p.dport} is bridged on ${br.name} of ${ns.node} without netfilter (${nf.evidence}), so conntrack never sees it and the reverse DNAT to ${conn.orig.dst}:${conn.orig.dport} does not happen`,
        };
        ctx.hops[ctx.leg][i]!.verdict = 'continue';
        ctx.hops[ctx.leg][i]!.note +=
          ` — this is the reply of the DNAT ${conn.orig.dst}:${conn.orig.dport} -> ${conn.reply.src}:${conn.reply.sport}: reverse NAT skipped`;
      } else {
        const vs = ipvsBypass(ctx, ns, p, `${br.name} of ${ns.node}`, nf.evidence);
        if (vs) {
          const i = ctx.hops[ctx.leg].length - 1;
          ctx.bypass = { index: i, causeId: 'reply-bypassed-conntrack', text: vs.text };
          ctx.hops[ctx.leg][i]!.note += vs.note;
        }
      }
      return brForward(ctx, ns, br, port, st, false);
    }
    return ipRcv(ctx, ns, br, st, false);
  }
  // br_nf_pre_routing: PREROUTING hooks in bridge context (ip_sabotage_in keeps ip_rcv from running them again)
  const dstBefore = p.dst;
  if (!runHook(ctx, ns, 'PREROUTING', st, { inDev: br.name, physIn: port.name }, 'br_nf_pre_routing/'))
    return;
  if (p.dst !== dstBefore) {
    // br_nf_pre_routing_finish: DNAT changed the destination -> ip_route_input decides
    const r = fibLookup(ns, p.dst, { src: p.src, mark: p.mark, iif: br.name });
    if (r.type === 'local') return ipRcv(ctx, ns, br, st, true);
    if (!r.route || r.type !== 'unicast') {
      const i = hop(ctx, ns, {
        stage: 'br_nf_pre_routing_finish',
        device: br.name,
        verdict: 'drop',
        note: `no route to ${p.dst}`,
      });
      return end(ctx, 'unreachable', 'no-route', `${ns.node} has no route to ${p.dst}`, i);
    }
    const fw = forwardingOn(ns, br.name);
    if (fw.on === false) {
      const i = hop(ctx, ns, {
        stage: 'br_nf_pre_routing_finish',
        device: br.name,
        verdict: 'drop',
        note: `ip_route_input fails after DNAT: forwarding disabled (${fw.evidence})`,
      });
      return end(ctx, 'timeout', 'ip-forward-disabled', `${ns.node} does not forward: ${fw.evidence}`, i);
    }
    if (r.route.dev === br.name) {
      const mac = resolveNeighbour(ctx, ns, br, r.route.gateway ?? p.dst);
      if (!mac) {
        const i = hop(ctx, ns, {
          stage: 'br_nf_pre_routing_finish_bridge',
          device: br.name,
          verdict: 'drop',
          note: `nobody answers ARP for ${p.dst}`,
        });
        return end(ctx, 'unreachable', 'arp-failed', `ARP for ${p.dst} on ${br.name} gets no answer`, i);
      }
      p.dstMac = mac;
      hop(ctx, ns, {
        stage: 'br_nf_pre_routing_finish',
        device: br.name,
        verdict: 'continue',
        note: `bridged_dnat: ${p.dst} is on ${br.name} too, the frame stays bridged (dst MAC ${mac})`,
      });
      return brForward(ctx, ns, br, port, st, true);
    }
    return ipForward(ctx, ns, br.name, st, r.route, port.name);
  }
  if (toHost) return ipRcv(ctx, ns, br, st, true);
  brForward(ctx, ns, br, port, st, true);
}

/** br_forward: FDB lookup, should_deliver (hairpin), br_nf_forward_ip / br_nf_post_routing. */
function brForward(ctx: WalkCtx, ns: SimNs, br: SimLink, inPort: SimLink, st: PktState, nf: boolean): void {
  if (ctx.result) return;
  const p = st.p;
  const out = portForMac(ns, br, p.dstMac ?? '');
  if (!out?.peer) {
    const i = hop(ctx, ns, {
      stage: 'br_forward',
      device: br.name,
      verdict: 'drop',
      note: `no port of ${br.name} leads to ${p.dstMac}`,
    });
    return end(ctx, 'timeout', 'fdb-miss', `no port of ${br.name} on ${ns.node} leads to ${p.dst}`, i);
  }
  if (out === inPort && !out.hairpin) {
    const i = hop(ctx, ns, {
      stage: 'br_forward',
      device: out.name,
      verdict: 'drop',
      note: `should_deliver: the frame would leave by the port it came in on and ${out.name} has hairpin_mode off${out.hairpinAssumed ? ' (assumed)' : ''}`,
    });
    return end(
      ctx,
      'timeout',
      'hairpin-off',
      `${out.name} on ${ns.node} has hairpin_mode off, so a pod cannot reach itself through a Service (the frame would go back out of the port it came from)`,
      i,
    );
  }
  if (nf) {
    if (
      !runHook(
        ctx,
        ns,
        'FORWARD',
        st,
        { inDev: br.name, outDev: br.name, physIn: inPort.name, physOut: out.name, bridged: true },
        'br_nf_forward_ip/',
      )
    )
      return;
    ipvsReply(ctx, ipvsWalk(ctx), ns, st, 'FORWARD');
    if (
      !runHook(
        ctx,
        ns,
        'POSTROUTING',
        st,
        { inDev: br.name, outDev: br.name, physIn: inPort.name, physOut: out.name, bridged: true },
        'br_nf_post_routing/',
      )
    )
      return;
  }
  hop(ctx, ns, {
    stage: 'br_forward',
    device: out.name,
    verdict: 'continue',
    before: fmt(p),
    note: `to ${out.peer.ns.id} ${out.peer.link.name}`,
  });
  frameIn(ctx, out.peer.ns, out.peer.link, st);
}

// ---------------------------------------------------------------- sockets

function socketDeliver(ctx: WalkCtx, ns: SimNs, dev: SimLink, st: PktState): void {
  const p = st.p;
  const f = ctx.flow;
  if (ctx.leg === 'reply') {
    if (ns !== ctx.clientNs) {
      const i = hop(ctx, ns, {
        stage: 'tcp_v4_rcv',
        verdict: 'drop',
        note: `the reply reached ${ns.id}, not the client`,
      });
      return end(
        ctx,
        'timeout',
        'reply-misrouted',
        `the reply was delivered to ${ns.id} instead of the client`,
        i,
      );
    }
    const expected = p.src === f.dst && p.sport === f.dport && p.dst === f.src && p.dport === f.sport;
    if (expected) {
      if ((p.proto === 'tcp' && (p.flags === 'R' || p.flags === 'R.')) || p.icmp) {
        const i = hop(ctx, ns, {
          stage: 'tcp_v4_rcv',
          device: dev.name,
          verdict: 'deliver',
          note: 'RST for our SYN: connect() fails with ECONNREFUSED',
        });
        return end(ctx, 'refused', 'closed-port', `the endpoint ${ctx.endpoint} refused the connection`, i);
      }
      const i = hop(ctx, ns, {
        stage: p.proto === 'tcp' ? 'tcp_v4_rcv' : 'udp_rcv',
        device: dev.name,
        verdict: 'deliver',
        before: fmt(p),
        note:
          p.proto === 'tcp'
            ? `SYN-ACK from ${p.src}:${p.sport} matches the socket connected to ${f.dst}:${f.dport}: connected`
            : 'the answer comes from the address the socket sent to',
      });
      return end(ctx, 'connected', 'ok', 'connected', i);
    }
    const i = hop(ctx, ns, {
      stage: p.proto === 'tcp' ? 'tcp_v4_rcv' : 'udp_rcv',
      device: dev.name,
      verdict: 'drop',
      before: fmt(p),
      note:
        p.proto === 'tcp'
          ? `no socket for ${p.dst}:${p.dport} <- ${p.src}:${p.sport} (the client connected to ${f.dst}:${f.dport}): the client answers RST and retransmits its SYN until connect() times out`
          : `the datagram comes from ${p.src}:${p.sport}, not ${f.dst}:${f.dport}: the connected socket drops it; the client retries and times out`,
    });
    const b = ctx.bypass;
    return end(
      ctx,
      'timeout',
      b?.causeId ?? 'reply-from-unexpected-source',
      b ? b.text : `the reply came from ${p.src}:${p.sport} instead of ${f.dst}:${f.dport}`,
      b ? b.index : i,
    );
  }
  // the request reached a socket: the server
  ctx.endpoint = `${p.dst}:${p.dport}`;
  ctx.endpointNode = ns.node;
  if (ns.kind === 'host' && ns !== ctx.clientNs) {
    const i = hop(ctx, ns, {
      stage: 'ip_local_deliver',
      verdict: 'unknown',
      note: `delivered to ${ns.node} itself; its listening sockets are not in the snapshot`,
    });
    return end(
      ctx,
      'unknown',
      'host-listener-unknown',
      `the request is delivered to node ${ns.node} itself (${p.dst}:${p.dport}); whether anything listens there is unknown`,
      i,
    );
  }
  const ls = ns.model?.listeners;
  const listening = ls
    ? ls.some((l) => l.proto === p.proto && l.port === p.dport && (l.addr === '*' || l.addr === p.dst))
    : true;
  if (!ls)
    ctx.notes.add(
      `a listener on ${p.proto}/${p.dport} in ${ns.id} was assumed (no \`ss\` output in the snapshot)`,
    );
  const stage = p.proto === 'tcp' ? 'tcp_v4_rcv' : 'udp_rcv';
  hop(ctx, ns, {
    stage,
    device: dev.name,
    verdict: 'deliver',
    before: fmt(p),
    note: listening
      ? p.proto === 'tcp'
        ? 'listener answers SYN-ACK'
        : 'server answers'
      : p.proto === 'tcp'
        ? `nothing listens on tcp/${p.dport}: tcp_v4_send_reset`
        : `nothing listens on udp/${p.dport}: ICMP port unreachable`,
  });
  const reply: Packet = {
    proto: p.proto,
    src: p.dst,
    dst: p.src,
    sport: p.dport,
    dport: p.sport,
    flags: p.proto === 'tcp' ? (listening ? 'S.' : 'R.') : '',
    mark: 0,
    ttl: 64,
  };
  if (!listening && p.proto === 'udp')
    reply.icmp = {
      type: 3,
      code: 3,
      inner: { src: p.src, dst: p.dst, sport: p.sport, dport: p.dport, proto: p.proto },
    };
  ctx.leg = 'reply';
  ipLocalOut(ctx, ns, { p: reply });
}

// ---------------------------------------------------------------- entry

export function walkFlow(
  world: World,
  clientNs: SimNs,
  flow: Required<Flow>,
  choose: Choose,
  opts: { recent?: (name: string) => boolean | undefined } = {},
): { ctx: WalkCtx } {
  const ctx: WalkCtx = {
    world,
    choose,
    flow,
    clientNs,
    leg: 'request',
    hops: { request: [], reply: [] },
    ct: new Map(),
    notes: new Set(),
    steps: 0,
    recent: opts.recent,
  };
  const p: Packet = {
    proto: flow.proto,
    src: flow.src,
    dst: flow.dst,
    sport: flow.sport,
    dport: flow.dport,
    flags: flow.proto === 'tcp' ? 'S' : '',
    mark: 0,
    ttl: 64,
  };
  ipLocalOut(ctx, clientNs, { p });
  if (!ctx.result) end(ctx, 'unknown', 'lost', 'the packet left the model without a verdict');
  return { ctx };
}
