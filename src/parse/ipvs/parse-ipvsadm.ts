/**
 * @module parse/ipvs/parse-ipvsadm
 * IPVS tables in the two forms ipvsadm prints them:
 * - `ipvsadm-save -n`: `-A -t 10.96.0.10:53 -s rr [-p 10800]` (a virtual service) and
 *   `-a -t 10.96.0.10:53 -r 10.244.1.3:53 -m -w 1` (one of its real servers);
 * - `ipvsadm -Ln` (also `--stats` / `--rate`): `TCP  10.96.0.10:53 rr [persistent 10800]`
 *   followed by `  -> 10.244.1.3:53  Masq 1 0 0` lines.
 * The form is told line by line, so a file holding both still parses. Never throws.
 */
import { diag, type Diagnostic, type ParseResult } from '../diagnostic.js';
import type { IpvsDest, IpvsForward, IpvsModel, IpvsProto, IpvsService } from '../../model/ipvs.js';

const SAVE_PROTO: Record<string, IpvsProto | 'fwmark'> = {
  '-t': 'tcp',
  '--tcp-service': 'tcp',
  '-u': 'udp',
  '--udp-service': 'udp',
  '--sctp-service': 'sctp',
  '-f': 'fwmark',
  '--fwmark-service': 'fwmark',
};

const FORWARD_FLAG: Record<string, IpvsForward> = {
  '-m': 'masq',
  '--masquerading': 'masq',
  '-g': 'route',
  '--gatewaying': 'route',
  '-i': 'tunnel',
  '--ipip': 'tunnel',
};

const LIST_FORWARD: Record<string, IpvsForward> = {
  Masq: 'masq',
  Route: 'route',
  Tunnel: 'tunnel',
  Local: 'local',
  Bypass: 'bypass',
};

/** options of -A / -a that take a value and that the model does not need */
const IGNORED_WITH_VALUE = new Set([
  '-x',
  '--u-threshold',
  '-y',
  '--l-threshold',
  '--pe',
  '--tun-type',
  '--tun-port',
  '--tun-nocsum',
  '--tun-csum',
  '--tun-remcsum',
]);

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** `10.0.0.1:80`, `[fd00::1]:80` -> address and port; undefined when not numeric */
export function splitHostPort(s: string): { addr: string; port: number } | undefined {
  let addr: string, port: string;
  if (s.startsWith('[')) {
    const e = s.indexOf(']:');
    if (e < 0) return undefined;
    addr = s.slice(1, e);
    port = s.slice(e + 2);
    if (!/^[0-9a-fA-F:.]+$/.test(addr) || !addr.includes(':')) return undefined;
  } else {
    const c = s.lastIndexOf(':');
    if (c < 0) return undefined;
    addr = s.slice(0, c);
    port = s.slice(c + 1);
    const m = IPV4.exec(addr);
    if (!m || m.slice(1).some((o) => Number(o) > 255)) return undefined;
  }
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) return undefined;
  return { addr, port: Number(port) };
}

interface Cursor {
  line: number;
  text: string;
}

function sameService(s: IpvsService, proto: IpvsProto | 'fwmark', key: string): boolean {
  if (proto === 'fwmark') return s.fwmark !== undefined && String(s.fwmark) === key;
  const hp = splitHostPort(key);
  return s.proto === proto && !!hp && s.addr === hp.addr && s.port === hp.port;
}

function col(c: Cursor, word: string): number {
  const i = c.text.indexOf(word);
  return i < 0 ? 1 : i + 1;
}

/** the service part of `-A`/`-a`: proto flag and `addr:port` or mark */
function serviceKey(
  c: Cursor,
  w: string[],
  out: Diagnostic[],
): { proto: IpvsProto | 'fwmark'; key: string; rest: string[] } | undefined {
  const proto = SAVE_PROTO[w[1] ?? ''];
  const key = w[2];
  if (!proto || key === undefined) {
    out.push(
      diag('SYNTAX', `expected "-t|-u|--sctp-service ADDR:PORT" or "-f MARK" after ${w[0]}`, c.line, 1),
    );
    return undefined;
  }
  if (proto === 'fwmark' ? !/^(0x[0-9a-fA-F]+|\d+)$/.test(key) : !splitHostPort(key)) {
    out.push(
      diag(
        'BAD_VALUE',
        proto === 'fwmark'
          ? `bad firewall mark "${key}"`
          : `expected a numeric ADDR:PORT, got "${key}" (was ipvsadm-save run without -n?)`,
        c.line,
        col(c, key),
      ),
    );
    return undefined;
  }
  return { proto, key: proto === 'fwmark' ? String(Number(key)) : key, rest: w.slice(3) };
}

function parseSaveService(c: Cursor, w: string[], out: Diagnostic[]): IpvsService | undefined {
  const k = serviceKey(c, w, out);
  if (!k) return undefined;
  const svc: IpvsService = { dests: [], line: c.line };
  if (k.proto === 'fwmark') svc.fwmark = Number(k.key);
  else {
    const hp = splitHostPort(k.key)!;
    Object.assign(svc, { proto: k.proto, addr: hp.addr, port: hp.port });
  }
  const r = k.rest;
  for (let i = 0; i < r.length; i++) {
    const o = r[i]!;
    const next = r[i + 1];
    if (o === '-s' || o === '--scheduler') {
      if (next === undefined) out.push(diag('SYNTAX', `${o} needs a scheduler name`, c.line, col(c, o)));
      else svc.scheduler = next;
      i++;
    } else if (o === '-p' || o === '--persistent') {
      // the timeout is optional (ipvsadm's default is 300 s); ipvsadm-save always prints it
      if (next !== undefined && /^\d+$/.test(next)) {
        svc.persistent = Number(next);
        i++;
      } else svc.persistent = 300;
    } else if (o === '-M' || o === '--netmask') {
      if (next === undefined) out.push(diag('SYNTAX', `${o} needs a netmask`, c.line, col(c, o)));
      else svc.netmask = next;
      i++;
    } else if (o === '-b' || o === '--sched-flags') {
      if (next === undefined) out.push(diag('SYNTAX', `${o} needs flags`, c.line, col(c, o)));
      else svc.flags = next.split(',');
      i++;
    } else if (o === '-o' || o === '--ops') {
      svc.flags = [...(svc.flags ?? []), 'ops'];
    } else if (IGNORED_WITH_VALUE.has(o)) i++;
    else out.push(diag('UNSUPPORTED', `unknown virtual service option "${o}"`, c.line, col(c, o)));
  }
  return svc;
}

function parseSaveDest(c: Cursor, w: string[], services: IpvsService[], out: Diagnostic[]): void {
  const k = serviceKey(c, w, out);
  if (!k) return;
  const svc = services.find((s) => sameService(s, k.proto, k.key));
  if (!svc) {
    out.push(
      diag('UNKNOWN_CHAIN', `real server for ${w[1]} ${k.key}, a service never added with -A`, c.line, 1),
    );
    return;
  }
  const r = k.rest;
  let dest: IpvsDest | undefined;
  let forward: IpvsForward | undefined;
  let weight: number | undefined;
  for (let i = 0; i < r.length; i++) {
    const o = r[i]!;
    const next = r[i + 1];
    if (o === '-r' || o === '--real-server') {
      const hp =
        next === undefined
          ? undefined
          : (splitHostPort(next) ?? (IPV4.test(next) ? { addr: next, port: 0 } : undefined));
      if (!hp)
        out.push(diag('BAD_VALUE', `expected a numeric real server ADDR:PORT after ${o}`, c.line, col(c, o)));
      else dest = { addr: hp.addr, port: hp.port || (svc.port ?? 0), line: c.line };
      i++;
    } else if (FORWARD_FLAG[o]) forward = FORWARD_FLAG[o];
    else if (o === '-w' || o === '--weight') {
      if (next === undefined || !/^\d+$/.test(next))
        out.push(diag('BAD_VALUE', `${o} needs a weight (0..65535)`, c.line, col(c, o)));
      else weight = Number(next);
      i++;
    } else if (IGNORED_WITH_VALUE.has(o)) i++;
    else out.push(diag('UNSUPPORTED', `unknown real server option "${o}"`, c.line, col(c, o)));
  }
  if (!dest) {
    if (!r.includes('-r') && !r.includes('--real-server'))
      out.push(diag('SYNTAX', 'a real server line needs -r ADDR:PORT', c.line, 1));
    return;
  }
  dest.forward = forward ?? 'route'; // ipvsadm's default forwarding method is direct routing
  dest.weight = weight ?? 1;
  svc.dests.push(dest);
}

const LIST_SERVICE = /^(TCP|UDP|SCTP|FWM)\s+(\S+)(?:\s+(.*))?$/;
const LIST_DEST = /^->\s+(\S+)(?:\s+(.*))?$/;

function parseListService(c: Cursor, m: RegExpExecArray, out: Diagnostic[]): IpvsService | undefined {
  const [, prot, key, tail] = m;
  const svc: IpvsService = { dests: [], line: c.line };
  if (prot === 'FWM') {
    if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(key!)) {
      out.push(diag('BAD_VALUE', `bad firewall mark "${key}"`, c.line, col(c, key!)));
      return undefined;
    }
    svc.fwmark = Number(key);
  } else {
    const hp = splitHostPort(key!);
    if (!hp) {
      out.push(
        diag(
          'BAD_VALUE',
          `expected a numeric ADDR:PORT, got "${key}" (was ipvsadm run without -n?)`,
          c.line,
          col(c, key!),
        ),
      );
      return undefined;
    }
    Object.assign(svc, { proto: prot!.toLowerCase() as IpvsProto, addr: hp.addr, port: hp.port });
  }
  const w = (tail ?? '').split(/\s+/).filter(Boolean);
  if (w.length > 0 && /^\d+$/.test(w[0]!)) return svc; // --stats / --rate columns
  for (let i = 0; i < w.length; i++) {
    const x = w[i]!;
    if (i === 0) svc.scheduler = x;
    else if (x === 'persistent' && /^\d+$/.test(w[i + 1] ?? '')) svc.persistent = Number(w[++i]);
    else if (x === 'mask' && w[i + 1]) svc.netmask = w[++i];
    else if (x === 'ops') svc.flags = [...(svc.flags ?? []), 'ops'];
    else if (x === 'pe' && w[i + 1]) i++;
    else if (/^\(.*\)$/.test(x)) svc.flags = [...(svc.flags ?? []), ...x.slice(1, -1).split(',')];
    else out.push(diag('UNSUPPORTED', `unknown virtual service field "${x}"`, c.line, col(c, x)));
  }
  return svc;
}

function parseListDest(c: Cursor, m: RegExpExecArray, svc: IpvsService | undefined, out: Diagnostic[]): void {
  const [, key, tail] = m;
  if (key === 'RemoteAddress:Port') return; // the column header
  if (!svc) {
    out.push(diag('SYNTAX', 'a real server line before any virtual service line', c.line, 1));
    return;
  }
  const hp = splitHostPort(key!);
  if (!hp) {
    out.push(diag('BAD_VALUE', `expected a numeric ADDR:PORT, got "${key}"`, c.line, col(c, key!)));
    return;
  }
  const dest: IpvsDest = { addr: hp.addr, port: hp.port, line: c.line };
  const w = (tail ?? '').split(/\s+/).filter(Boolean);
  const fwd = w[0] !== undefined ? LIST_FORWARD[w[0]] : undefined;
  if (fwd) {
    dest.forward = fwd;
    const [weight, active, inact] = w.slice(1).map(Number);
    if (weight === undefined || !Number.isInteger(weight))
      out.push(diag('SYNTAX', 'expected "FORWARD WEIGHT ACTIVECONN INACTCONN"', c.line, col(c, w[0]!)));
    else {
      dest.weight = weight;
      if (Number.isInteger(active)) dest.activeConns = active;
      if (Number.isInteger(inact)) dest.inactConns = inact;
    }
  } else if (w.length > 0 && !w.every((x) => /^\d+[KMG]?$/.test(x)))
    out.push(
      diag(
        'SYNTAX',
        `unknown forwarding method "${w[0]}" (expected Masq, Route, Tunnel, Local)`,
        c.line,
        col(c, w[0]!),
      ),
    );
  svc.dests.push(dest);
}

const LIST_HEADER =
  /^(IP Virtual Server version|Prot LocalAddress:Port|Timeout \(tcp tcpfin udp\)|IPVS connection entries)/;

export function parseIpvsadm(text: string): ParseResult<IpvsModel> {
  const services: IpvsService[] = [];
  const diagnostics: Diagnostic[] = [];
  let cur: IpvsService | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    const t = raw.trim();
    if (!t || t.startsWith('#')) continue;
    const c: Cursor = { line: i + 1, text: raw };
    const w = t.split(/\s+/);
    if (w[0] === '-A' || w[0] === '--add-service') {
      cur = parseSaveService(c, w, diagnostics);
      if (cur) {
        const dup = services.find((s) => sameKey(s, cur!));
        if (dup)
          diagnostics.push(diag('DUPLICATE', `virtual service already added at line ${dup.line}`, c.line, 1));
        else services.push(cur);
      }
      continue;
    }
    if (w[0] === '-a' || w[0] === '--add-server') {
      parseSaveDest(c, w, services, diagnostics);
      continue;
    }
    if (LIST_HEADER.test(t)) continue;
    const ms = LIST_SERVICE.exec(t);
    if (ms && !/^\s/.test(raw)) {
      cur = parseListService(c, ms, diagnostics);
      if (cur) services.push(cur);
      continue;
    }
    const md = LIST_DEST.exec(t);
    if (md) {
      parseListDest(c, md, cur, diagnostics);
      continue;
    }
    diagnostics.push(
      diag(
        'SYNTAX',
        `expected an ipvsadm-save line (-A/-a) or an ipvsadm -Ln line, got "${t.slice(0, 60)}"`,
        c.line,
        col(c, w[0]!),
      ),
    );
  }
  return { value: { services }, diagnostics };
}

function sameKey(a: IpvsService, b: IpvsService): boolean {
  return a.fwmark !== undefined
    ? a.fwmark === b.fwmark
    : a.proto === b.proto && a.addr === b.addr && a.port === b.port && b.fwmark === undefined;
}
