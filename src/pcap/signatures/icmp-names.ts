/**
 * @module pcap/signatures/icmp-names
 * ICMP destination-unreachable code names (RFC 792, RFC 1812 §5.2.7.1) and ICMPv6
 * (RFC 4443 §3.1), as `icmp_unreach` and `icmpv6_err_convert` map them to errno.
 */
import type { Packet } from '../types.js';
import { PROTO_ICMP } from '../types.js';

export const ICMP_UNREACH_CODES: readonly string[] = [
  'net unreachable',
  'host unreachable',
  'protocol unreachable',
  'port unreachable',
  'fragmentation needed',
  'source route failed',
  'destination network unknown',
  'destination host unknown',
  'source host isolated',
  'network administratively prohibited',
  'host administratively prohibited',
  'network unreachable for TOS',
  'host unreachable for TOS',
  'communication administratively prohibited',
  'host precedence violation',
  'precedence cutoff in effect',
];

export const ICMP6_UNREACH_CODES: readonly string[] = [
  'no route to destination',
  'communication administratively prohibited',
  'beyond scope of source address',
  'address unreachable',
  'port unreachable',
  'source address failed ingress/egress policy',
  'reject route to destination',
];

/** What the application sees (`icmp_err_convert[]`, `icmpv6_err_convert`). */
export function unreachableErrno(p: Packet): string {
  const v4 = p.proto === PROTO_ICMP;
  const c = p.icmpCode;
  if (v4 ? c === 3 || c === 2 : c === 4) return 'ECONNREFUSED (connection refused)';
  if (v4 ? c === 0 || c === 6 || c === 11 : c === 0) return 'ENETUNREACH (network is unreachable)';
  if (v4 ? c === 9 || c === 10 || c === 13 : c === 1 || c === 5 || c === 6)
    return 'EHOSTUNREACH / EACCES (no route to host, administratively prohibited)';
  return 'EHOSTUNREACH (no route to host)';
}

export function icmpCodeName(p: Packet): string {
  if (p.proto === PROTO_ICMP) {
    if (p.icmpType === 3) return ICMP_UNREACH_CODES[p.icmpCode] ?? `code ${p.icmpCode}`;
    if (p.icmpType === 11) return 'time exceeded';
    if (p.icmpType === 8) return 'echo request';
    if (p.icmpType === 0) return 'echo reply';
    return '';
  }
  if (p.icmpType === 1) return ICMP6_UNREACH_CODES[p.icmpCode] ?? `code ${p.icmpCode}`;
  if (p.icmpType === 2) return 'packet too big';
  if (p.icmpType === 3) return 'time exceeded';
  if (p.icmpType === 128) return 'echo request';
  if (p.icmpType === 129) return 'echo reply';
  return '';
}
