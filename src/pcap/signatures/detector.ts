/**
 * @module pcap/signatures/detector
 * A detector watches the packet stream for one failure signature and reports findings at
 * the end. The analyser routes packets by protocol, so a detector only pays for what it
 * looks at; state is kept per live flow and dropped by `sweep` as capture time moves on.
 */
import type { Packet, PcapFinding } from '../types.js';
import type { TcpConn, TcpSeen } from './tcp-tracker.js';

export interface Detector {
  /** finding ids this detector can report */
  readonly ids: readonly string[];
  /** every TCP packet */
  onTcp?(p: Packet, seen: TcpSeen): void;
  /** TCP packets with SYN, RST or FIN only (most detectors need no more) */
  onTcpControl?(p: Packet, seen: TcpSeen): void;
  /** a TCP connection left the tracker (closed and lingered, idle, or end of capture) */
  onConnEnd?(c: TcpConn): void;
  onUdp?(p: Packet): void;
  /** ICMP/ICMPv6 error messages (those that quote a datagram) */
  onIcmpError?(p: Packet): void;
  /** drop state older than the capture time allows */
  sweep(now: number): void;
  finish(): PcapFinding[];
}
