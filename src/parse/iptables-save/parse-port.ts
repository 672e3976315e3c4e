/**
 * @module parse/iptables-save/parse-port
 * Ports and port ranges: `a`, `a:b`, `:b` (from 0), `a:` (to 65535) as the tcp/udp,
 * multiport and conntrack matches take them (`xtables_parse_port()`,
 * `parse_tcp_ports()` in libxt_tcp.c), and `a-b` as the NAT targets take them.
 * iptables-save always prints numbers; hand-written restore input may use service names,
 * of which the common ones are known here (no /etc/services lookup: parsing stays pure).
 */
import type { PortRange } from '../../model/iptables.js';
import { parseDecimal } from './parse-number.js';

const SERVICES: Record<string, number> = {
  ftp: 21,
  'ftp-data': 20,
  ssh: 22,
  telnet: 23,
  smtp: 25,
  domain: 53,
  bootps: 67,
  bootpc: 68,
  tftp: 69,
  http: 80,
  www: 80,
  pop3: 110,
  sunrpc: 111,
  ntp: 123,
  'netbios-ns': 137,
  'netbios-dgm': 138,
  'netbios-ssn': 139,
  imap: 143,
  imap2: 143,
  snmp: 161,
  'snmp-trap': 162,
  ldap: 389,
  https: 443,
  'microsoft-ds': 445,
  submission: 587,
  ldaps: 636,
  imaps: 993,
  pop3s: 995,
  openvpn: 1194,
  nfs: 2049,
  mysql: 3306,
  postgresql: 5432,
  'http-alt': 8080,
};

/** A port number or known service name -> 0..65535, or -1. */
export function parsePort(s: string): number {
  const c = s.charCodeAt(0);
  if (c >= 48 && c <= 57) return parseDecimal(s, 65535);
  const v = SERVICES[s];
  return v === undefined ? -1 : v;
}

/**
 * `a`, `a:b`, `:b`, `a:` (separator `:`), or with `sep` `-` for NAT targets; null when
 * invalid or min > max. libxt_udp and libxt_conntrack accept min > max (a range that never
 * matches in `port_match()`), hence `allowReversed`.
 */
export function parsePortRange(s: string, sep = ':', allowReversed = false): PortRange | null {
  const k = s.indexOf(sep);
  if (k < 0) {
    const p = parsePort(s);
    return p < 0 ? null : { from: p, to: p };
  }
  const a = k === 0 ? 0 : parsePort(s.slice(0, k));
  const b = k === s.length - 1 ? 65535 : parsePort(s.slice(k + 1));
  if (a < 0 || b < 0 || (a > b && !allowReversed)) return null;
  return { from: a, to: b };
}

/** multiport list `p[,p|a:b]...`; null when invalid. iptables allows 15 ports, a range counting 2. */
export function parsePortList(s: string): { ports: PortRange[] } | { error: string } {
  const parts = s.split(',');
  const ports: PortRange[] = [];
  let slots = 0;
  for (const part of parts) {
    const r = parsePortRange(part);
    if (r === null) return { error: `bad port or port range \`${part}'` };
    ports.push(r);
    slots += r.from === r.to ? 1 : 2;
  }
  if (slots > 15) return { error: `too many ports in \`${s}' (multiport takes 15, a range counts 2)` };
  return { ports };
}
