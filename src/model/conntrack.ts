/**
 * @module model/conntrack
 * Conntrack entries as `conntrack -L` prints them, and the statistics of `conntrack -S`.
 */

export interface CtTuple {
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  /** ICMP type/code/id for icmp entries */
  type?: number;
  code?: number;
  id?: number;
}

export interface CtEntry {
  l3: 'ipv4' | 'ipv6';
  proto: string; // tcp, udp, icmp, sctp, ...
  protoNum: number;
  timeout: number;
  /** TCP state: SYN_SENT, ESTABLISHED, TIME_WAIT, ... */
  state?: string;
  orig: CtTuple;
  reply: CtTuple;
  /** [UNREPLIED], [ASSURED], [OFFLOAD], ... without brackets */
  flags: string[];
  mark?: number;
  zone?: number;
  use?: number;
  line: number;
}

/** One row of `conntrack -S` (per CPU) */
export interface CtStats {
  cpu: number;
  values: Record<string, number>; // found, invalid, insert, insert_failed, drop, early_drop, error, search_restart, ...
  line: number;
}
