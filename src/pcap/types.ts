/**
 * @module pcap/types
 * The packet record every capture reader produces (pcap, pcapng, tcpdump text), the
 * capture diagnostics, and the shapes of a capture analysis. One flat record per packet:
 * the hot path allocates one object of one shape, so V8 keeps it monomorphic.
 */
import type { Diagnostic } from '../parse/diagnostic.js';
import type { Finding } from '../checks/types.js';

/** Direction of a packet relative to the capturing host, when the capture says it. */
export type PacketDirection = 'in' | 'out' | 'host' | 'broadcast' | 'multicast' | 'otherhost' | '';

/** The first bytes of the datagram quoted inside an ICMP error (RFC 792 / RFC 4443). */
export interface EmbeddedHeader {
  ipv: 4 | 6;
  src: string;
  dst: string;
  proto: number;
  sport: number;
  dport: number;
  /** TCP sequence number of the quoted segment, -1 when not TCP */
  seq: number;
}

/** DNS header and first question (RFC 1035 §4.1), enough to pair queries and answers. */
export interface DnsInfo {
  id: number;
  response: boolean;
  rcode: number;
  /** first question name, lower case, no trailing dot; '' when absent */
  qname: string;
  /** first question type: 1 A, 28 AAAA, ...; 0 when absent */
  qtype: number;
  answers: number;
}

/** Outer headers of a VXLAN-encapsulated packet (the record itself describes the inner one). */
export interface OuterHeader {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  vni: number;
}

export interface Packet {
  /** 1-based record number in the file (tshark's frame.number); packet ordinal for --text */
  n: number;
  /** capture timestamp: whole seconds (since the epoch, or since midnight for text without date) */
  sec: number;
  /** nanoseconds 0..999999999 */
  nsec: number;
  /** sec + nsec / 1e9, for arithmetic */
  ts: number;
  /** pcapng interface id, SLL2 ifindex, or 0 */
  iface: number;
  /** interface name when known (pcapng if_name, tcpdump -i any text) */
  ifName: string;
  dir: PacketDirection;
  linkType: number;
  caplen: number;
  /** original length on the wire */
  len: number;
  /** 802.1Q / 802.1ad VLAN ids, outermost first; empty when untagged */
  vlans: number[];
  ethertype: number;
  /** 4, 6, or 0 when not IP */
  ipv: 0 | 4 | 6;
  src: string;
  dst: string;
  /** IPv4 source as an unsigned 32-bit number, -1 when not IPv4 (fast flow keys) */
  src4: number;
  dst4: number;
  /** IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6), -1 when unknown */
  proto: number;
  ttl: number;
  ipId: number;
  df: boolean;
  /** IPv4 or IPv6 fragment (first or later) */
  frag: boolean;
  /** fragment offset in bytes */
  fragOffset: number;
  moreFrags: boolean;
  /** IPv4 header has options */
  ipOptions: boolean;
  /** IP total length (IPv4 total length, IPv6 40 + payload length) as on the wire */
  ipLen: number;
  sport: number;
  dport: number;
  /** TCP flag bits: FIN 1, SYN 2, RST 4, PSH 8, ACK 16, URG 32, ECE 64, CWR 128 */
  tcpFlags: number;
  seq: number;
  ack: number;
  win: number;
  /** MSS option, 0 when absent */
  mss: number;
  /** window scale option shift, -1 when absent */
  wscale: number;
  /** TCP or UDP payload length as on the wire (from the IP length, not the capture length) */
  payloadLen: number;
  /** -1 when not ICMP */
  icmpType: number;
  icmpCode: number;
  /** next-hop MTU of ICMP frag-needed / ICMPv6 packet-too-big, 0 otherwise */
  mtu: number;
  inner: EmbeddedHeader | undefined;
  dns: DnsInfo | undefined;
  outer: OuterHeader | undefined;
  /** headers were cut by the capture length */
  truncated: boolean;
  /** 1-based line in tcpdump text input, 0 for binary captures */
  line: number;
}

export const TCP_FIN = 1;
export const TCP_SYN = 2;
export const TCP_RST = 4;
export const TCP_PSH = 8;
export const TCP_ACK = 16;
export const TCP_URG = 32;
export const TCP_ECE = 64;
export const TCP_CWR = 128;

export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_ICMPV6 = 58;

/** A diagnostic about a capture: where in the file (byte offset) and which record or block. */
export interface CaptureDiagnostic extends Diagnostic {
  /** byte offset of the record/block where the problem starts */
  offset?: number;
  /** 1-based record number (pcap) or block number (pcapng) */
  record?: number;
}

export type CaptureFormat = 'pcap' | 'pcap-nsec' | 'pcap-modified' | 'pcapng' | 'tcpdump-text' | 'unknown';

/** What a reader says about the file once it has seen all of it. */
export interface CaptureSummary {
  format: CaptureFormat;
  /** link types seen (one per pcap file, one per pcapng interface) */
  linkTypes: number[];
  packets: number;
  bytes: number;
  firstTs: number;
  lastTs: number;
  diagnostics: CaptureDiagnostic[];
}

/** A packet as shown in a finding. */
export interface PacketEvidence {
  /** `<file>#<packet number>` */
  source: string;
  n: number;
  /** ISO-8601 when the capture has dates, else `HH:MM:SS.fraction` */
  time: string;
  ts: number;
  iface?: string;
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  proto: string;
  /** tcpdump-style flags, e.g. `S.` */
  flags?: string;
  /** one line, as a person reads it (names applied) */
  summary: string;
  outer?: OuterHeader;
}

export interface PcapFinding extends Finding {
  packets: PacketEvidence[];
  /** how many occurrences the finding groups (lookups, connections, ICMP messages) */
  count: number;
}

export interface PcapReport {
  file: string;
  format: CaptureFormat;
  linkTypes: number[];
  packets: number;
  flows: number;
  bytes: number;
  firstTs: number;
  lastTs: number;
  duration: number;
  diagnostics: CaptureDiagnostic[];
  findings: PcapFinding[];
}

/** Push parser contract shared by the binary and text readers. Never throws. */
export interface CaptureParser {
  push(chunk: Uint8Array): void;
  /** no more input: reports a truncated last record and returns the summary */
  end(): CaptureSummary;
}

export type PacketVisitor = (p: Packet) => void;
