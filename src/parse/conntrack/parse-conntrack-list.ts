/**
 * @module parse/conntrack/parse-conntrack-list
 * `conntrack -L` and /proc/net/nf_conntrack -> CtEntry[]. A line is
 *
 *     [ipv4 2] tcp 6 119 SYN_SENT src=.. dst=.. sport=.. dport=.. [UNREPLIED] src=.. dst=.. sport=.. dport=.. mark=0 zone=7 use=1
 *
 * i.e. the original tuple then the reply tuple (`ct->tuplehash[IP_CT_DIR_ORIGINAL/REPLY]`),
 * printed by the kernel's `ct_seq_show` / libnetfilter_conntrack's `__snprintf_conntrack_default`.
 * The reply tuple is what `nf_nat_setup_info` rewrote: after DNAT its `src` is the backend.
 * The `conntrack v1.4.7 (conntrack-tools): N flow entries have been shown.` summary (stderr,
 * often pasted) is skipped; event lines of `conntrack -E` (`[NEW] tcp ...`) are read too.
 */
import { isIP } from 'node:net';
import { diag, type Diagnostic, type ParseResult } from '../diagnostic.js';
import type { CtEntry, CtTuple } from '../../model/conntrack.js';
import { splitLines, tokenize, type Token } from '../iproute/tokens.js';

const WHAT = 'conntrack';
const SUMMARY = /^conntrack v[\d.]+ \(conntrack-tools\):/;
const PORT_TUPLE = new Set(['src', 'dst', 'sport', 'dport']);
/** icmp tuples carry type, code and the echo id instead of ports (`icmp_print_tuple`) */
const ICMP_TUPLE = new Set(['src', 'dst', 'type', 'code', 'id']);
const PORT_KEYS = new Set(['sport', 'dport']);

export function parseConntrackList(text: string): ParseResult<CtEntry[]> {
  const diagnostics: Diagnostic[] = [];
  const entries: CtEntry[] = [];
  splitLines(text).forEach((line, i) => {
    const n = i + 1;
    const t = tokenize(line);
    if (t.length === 0) return;
    if (SUMMARY.test(line)) {
      if (!/flow entries have been shown\.?\s*$/.test(line)) {
        diagnostics.push(
          diag('UNSUPPORTED', `${WHAT}: message from conntrack, not an entry`, n, 1, 'warning'),
        );
      }
      return;
    }
    const e = readEntry(t, n, diagnostics);
    if (e) entries.push(e);
  });
  return { value: entries, diagnostics };
}

function readEntry(t: Token[], n: number, diagnostics: Diagnostic[]): CtEntry | undefined {
  let k = 0;
  while (t[k] && /^\[[^\]=]*\]$/.test(t[k]!.text)) k++; // `[NEW]`, `[1700000000.123]` of conntrack -E
  let l3: 'ipv4' | 'ipv6' | undefined;
  const first = t[k];
  if ((first?.text === 'ipv4' || first?.text === 'ipv6') && /^\d+$/.test(t[k + 1]?.text ?? '')) {
    l3 = first.text;
    k += 2;
  }
  const proto = t[k];
  const protoNum = t[k + 1];
  if (!proto || !/^[a-z][a-z0-9-]*$/.test(proto.text) || !protoNum || !/^\d{1,3}$/.test(protoNum.text)) {
    const at = proto && /^[a-z][a-z0-9-]*$/.test(proto.text) ? (protoNum ?? proto) : (proto ?? t[0]!);
    diagnostics.push(
      diag(
        'SYNTAX',
        `${WHAT}: expected "PROTO NUMBER TIMEOUT ...", found ${JSON.stringify(at.text)}`,
        n,
        at.column,
      ),
    );
    return undefined;
  }
  k += 2;
  let timeout = 0;
  if (t[k] && /^\d+$/.test(t[k]!.text)) timeout = Number(t[k++]!.text); // absent in [DESTROY] events
  let state: string | undefined;
  if (t[k] && /^[A-Z][A-Z_0-9]*$/.test(t[k]!.text)) state = t[k++]!.text;

  const tupleKeys = proto.text === 'icmp' || proto.text === 'icmpv6' ? ICMP_TUPLE : PORT_TUPLE;
  const tuples: [Partial<CtTuple>, Partial<CtTuple>] = [{}, {}];
  let dir: 0 | 1 = 0;
  const flags: string[] = [];
  const e: Partial<CtEntry> = {};
  for (; k < t.length; k++) {
    const tok = t[k]!;
    const flag = /^\[([A-Z_]+)\]$/.exec(tok.text);
    if (flag) {
      flags.push(flag[1]!);
      continue;
    }
    const eq = tok.text.indexOf('=');
    if (eq <= 0) {
      diagnostics.push(diag('SYNTAX', `${WHAT}: unexpected ${JSON.stringify(tok.text)}`, n, tok.column));
      return undefined;
    }
    const key = tok.text.slice(0, eq);
    const val = tok.text.slice(eq + 1);
    const valCol = tok.column + eq + 1;
    if (key === 'src' && dir === 0 && tuples[0].src !== undefined) dir = 1;
    if (tupleKeys.has(key) && !(key in tuples[dir])) {
      if (key === 'src' || key === 'dst') {
        if (!isIP(val)) {
          diagnostics.push(diag('BAD_VALUE', `${WHAT}: bad address ${JSON.stringify(val)}`, n, valCol));
          return undefined;
        }
        tuples[dir][key] = val;
      } else {
        const num = readInt(val, PORT_KEYS.has(key) ? 65535 : 0xffff);
        if (num === undefined) {
          diagnostics.push(diag('BAD_VALUE', `${WHAT}: bad ${key} ${JSON.stringify(val)}`, n, valCol));
          return undefined;
        }
        tuples[dir][key as 'sport' | 'dport' | 'type' | 'code' | 'id'] = num;
      }
      continue;
    }
    if (key === 'mark' || key === 'zone' || key === 'zone-orig' || key === 'use') {
      const num = readInt(val, 0xffffffff);
      if (num === undefined) {
        diagnostics.push(diag('BAD_VALUE', `${WHAT}: bad ${key} ${JSON.stringify(val)}`, n, valCol));
        continue;
      }
      if (key === 'mark') e.mark = num;
      else if (key === 'use') e.use = num;
      else e.zone = num;
    }
    // packets=, bytes=, secctx=, labels=, delta-time=, helper=, the conntrack id=: not modelled
  }
  const [orig, reply] = tuples;
  if (
    orig.src === undefined ||
    orig.dst === undefined ||
    reply.src === undefined ||
    reply.dst === undefined
  ) {
    diagnostics.push(
      diag(
        'SYNTAX',
        `${WHAT}: entry without ${orig.src === undefined ? 'an original' : 'a reply'} tuple`,
        n,
        t[0]!.column,
      ),
    );
    return undefined;
  }
  const family = isIP(orig.src) === 6 ? 'ipv6' : 'ipv4';
  const entry: CtEntry = {
    l3: l3 ?? family,
    proto: proto.text,
    protoNum: Number(protoNum.text),
    timeout,
    orig: orig as CtTuple,
    reply: reply as CtTuple,
    flags,
    line: n,
    ...e,
  };
  if (state !== undefined) entry.state = state;
  return entry;
}

function readInt(s: string, max: number): number | undefined {
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(s)) return undefined;
  const v = Number(s);
  return v <= max ? v : undefined;
}
