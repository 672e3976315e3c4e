/**
 * @module model/iptables
 * Vendor-independent model of an iptables rule set (as `iptables-save` prints it).
 * Produced by parse/iptables-save, consumed by sim/ (evaluation) and checks/.
 */

export type TableName = 'raw' | 'mangle' | 'nat' | 'filter' | 'security';
export type Backend = 'legacy' | 'nft' | 'unknown';

export interface Negatable<T> {
  neg: boolean;
  value: T;
}

/** An IPv4/IPv6 prefix, e.g. { addr: '10.0.0.0', len: 8 }. Host addresses get len 32 (128). */
export interface Cidr {
  addr: string;
  len: number;
}

/** A port or inclusive port range. */
export interface PortRange {
  from: number;
  to: number;
}

export type CtState = 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED' | 'SNAT' | 'DNAT';
export type AddrType =
  | 'UNSPEC'
  | 'UNICAST'
  | 'LOCAL'
  | 'BROADCAST'
  | 'ANYCAST'
  | 'MULTICAST'
  | 'BLACKHOLE'
  | 'UNREACHABLE'
  | 'PROHIBIT'
  | 'THROW'
  | 'NAT'
  | 'XRESOLVE';

/**
 * A match module with its options. Unknown modules or options are kept as
 * `{ m: 'unsupported', module, raw }` (the simulator reports `unknown` where it meets one).
 */
export type Match =
  | {
      m: 'tcp' | 'udp' | 'sctp';
      sport?: Negatable<PortRange>;
      dport?: Negatable<PortRange>;
      /** --tcp-flags mask comp, --syn = SYN,RST,ACK,FIN SYN */
      tcpFlags?: Negatable<{ mask: string[]; comp: string[] }>;
    }
  | {
      m: 'multiport';
      sports?: Negatable<PortRange[]>;
      dports?: Negatable<PortRange[]>;
      ports?: Negatable<PortRange[]>;
    }
  | { m: 'icmp' | 'icmp6'; type?: Negatable<string> }
  | { m: 'comment'; comment: string }
  | {
      m: 'conntrack';
      ctstate?: Negatable<CtState[]>;
      ctstatus?: Negatable<string[]>;
      ctorigdst?: Negatable<Cidr>;
      ctorigsrc?: Negatable<Cidr>;
      ctorigdstport?: Negatable<PortRange>;
      ctreplsrc?: Negatable<Cidr>;
      ctdir?: 'ORIGINAL' | 'REPLY';
    }
  | { m: 'state'; state: Negatable<CtState[]> }
  | { m: 'mark' | 'connmark'; mark: Negatable<{ value: number; mask: number }> }
  | {
      m: 'addrtype';
      srcType?: Negatable<AddrType[]>;
      dstType?: Negatable<AddrType[]>;
      limitIfaceIn?: boolean;
      limitIfaceOut?: boolean;
    }
  | { m: 'statistic'; mode: 'random'; probability: number; neg: boolean }
  | { m: 'statistic'; mode: 'nth'; every: number; packet: number; neg: boolean }
  | {
      m: 'physdev';
      physdevIn?: Negatable<string>;
      physdevOut?: Negatable<string>;
      isIn?: Negatable<true>;
      isOut?: Negatable<true>;
      isBridged?: Negatable<true>;
    }
  | {
      m: 'recent';
      name: string;
      action: 'set' | 'rcheck' | 'update' | 'remove';
      neg: boolean;
      seconds?: number;
      hitcount?: number;
      reap: boolean;
      side: 'rsource' | 'rdest';
      mask?: string;
    }
  | { m: 'set'; setName: Negatable<string>; flags: ('src' | 'dst')[] }
  | { m: 'nfacct'; name: string }
  | { m: 'pkttype'; type: Negatable<string> }
  | { m: 'mac'; source: Negatable<string> }
  | { m: 'iprange'; srcRange?: Negatable<[string, string]>; dstRange?: Negatable<[string, string]> }
  | { m: 'limit'; rate?: string; burst?: number }
  | { m: 'unsupported'; module: string; raw: string };

export type MarkOp = { value: number; mask: number }; // new = (old & ~mask) ^ value  (iptables --set-xmark)

export interface NatRange {
  /** first and last address (same when a single address) */
  addrFrom?: string;
  addrTo?: string;
  portFrom?: number;
  portTo?: number;
}

export type Target =
  | { t: 'ACCEPT' | 'DROP' | 'RETURN' | 'QUEUE' | 'NOTRACK' }
  | { t: 'jump'; chain: string }
  | { t: 'goto'; chain: string }
  | { t: 'REJECT'; with: string } // default 'icmp-port-unreachable'
  | { t: 'DNAT'; to: NatRange; random: boolean; persistent: boolean }
  | { t: 'SNAT'; to: NatRange; random: boolean; randomFully: boolean; persistent: boolean }
  | { t: 'MASQUERADE'; toPorts?: { from: number; to: number }; random: boolean; randomFully: boolean }
  | { t: 'REDIRECT'; toPorts?: { from: number; to: number }; random: boolean }
  | { t: 'MARK'; op: MarkOp }
  | { t: 'CONNMARK'; op: 'set' | 'save' | 'restore'; value?: number; mask?: number; raw: string }
  | { t: 'CT'; notrack: boolean; raw: string }
  | { t: 'LOG' | 'NFLOG' | 'TRACE' | 'CHECKSUM' | 'TCPMSS' | 'NFQUEUE'; raw: string }
  | { t: 'unsupported'; target: string; raw: string };

export interface Rule {
  /** 1-based line in the source text. */
  line: number;
  /** The rule as written (after `-A CHAIN `). */
  text: string;
  src?: Negatable<Cidr>;
  dst?: Negatable<Cidr>;
  inIface?: Negatable<string>; // '+' wildcard suffix kept as written, e.g. 'veth+'
  outIface?: Negatable<string>;
  proto?: Negatable<string>; // lower case: 'tcp' | 'udp' | 'icmp' | 'all' | number as string
  fragment?: Negatable<true>;
  matches: Match[];
  /** undefined: no target (a rule that only counts packets) */
  target?: Target;
  counters?: { packets: number; bytes: number };
}

export interface Chain {
  name: string;
  /** Built-in chains have a policy; user chains have none. */
  policy?: 'ACCEPT' | 'DROP';
  builtin: boolean;
  rules: Rule[];
  line: number;
  counters?: { packets: number; bytes: number };
}

export interface Table {
  name: TableName;
  chains: Record<string, Chain>;
  line: number;
}

export interface Ruleset {
  family: 'ipv4' | 'ipv6';
  /** which iptables backend wrote it, if the header says (`# Generated by iptables-nft-save v1.8.7`) */
  backend: Backend;
  /** iptables version from the header comment, if present */
  version?: string;
  /**
   * iptables-nft-save printed `# Warning: iptables-legacy tables present, use
   * iptables-legacy-save to see them`: the legacy backend holds rules too, which this
   * rule set does not show (two active rule sets on one node).
   */
  legacyTablesPresent?: boolean;
  tables: Partial<Record<TableName, Table>>;
}
