/**
 * @module pcap/decode/packet
 * The one constructor of {@link Packet}: every field present, so all packets share a shape.
 */
import type { Packet } from '../types.js';

export function newPacket(
  n: number,
  sec: number,
  nsec: number,
  linkType: number,
  caplen: number,
  len: number,
): Packet {
  return {
    n,
    sec,
    nsec,
    ts: sec + nsec / 1e9,
    iface: 0,
    ifName: '',
    dir: '',
    linkType,
    caplen,
    len,
    vlans: NO_VLANS,
    ethertype: -1,
    ipv: 0,
    src: '',
    dst: '',
    src4: -1,
    dst4: -1,
    proto: -1,
    ttl: 0,
    ipId: 0,
    df: false,
    frag: false,
    fragOffset: 0,
    moreFrags: false,
    ipOptions: false,
    ipLen: 0,
    sport: -1,
    dport: -1,
    tcpFlags: 0,
    seq: 0,
    ack: 0,
    win: 0,
    mss: 0,
    wscale: -1,
    payloadLen: 0,
    icmpType: -1,
    icmpCode: -1,
    mtu: 0,
    inner: undefined,
    dns: undefined,
    outer: undefined,
    truncated: false,
    line: 0,
  };
}

/** Shared empty VLAN list (never mutated: decoders replace it). */
const NO_VLANS: number[] = Object.freeze([]) as unknown as number[];
