/**
 * @module pcap/decode/link
 * Link layers (LINKTYPE_* values of the tcpdump.org registry) down to the network header:
 * Ethernet with 802.1Q/802.1ad tags, Linux cooked SLL and SLL2 (`tcpdump -i any`), raw IP,
 * BSD loopback. Models what `__netif_receive_skb_core` sees once `eth_type_trans` and
 * `skb_vlan_untag` have run.
 */
import type { Packet, PacketDirection } from '../types.js';
import { decodeIpv4, decodeIpv6 } from './ip.js';

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW_12 = 12;
export const LINKTYPE_RAW_14 = 14;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

const LINK_NAMES: Record<number, string> = {
  [LINKTYPE_NULL]: 'BSD loopback',
  [LINKTYPE_ETHERNET]: 'Ethernet',
  [LINKTYPE_RAW_12]: 'raw IP',
  [LINKTYPE_RAW_14]: 'raw IP',
  [LINKTYPE_RAW]: 'raw IP',
  [LINKTYPE_LOOP]: 'OpenBSD loopback',
  [LINKTYPE_LINUX_SLL]: 'Linux cooked (SLL)',
  [LINKTYPE_IPV4]: 'raw IPv4',
  [LINKTYPE_IPV6]: 'raw IPv6',
  [LINKTYPE_LINUX_SLL2]: 'Linux cooked v2 (SLL2)',
};

export function linkTypeName(linkType: number): string {
  return LINK_NAMES[linkType] ?? `link type ${linkType}`;
}

export function isSupportedLinkType(linkType: number): boolean {
  return linkType in LINK_NAMES;
}

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;
export const ETHERTYPE_QINQ_OLD = 0x9100;
export const ETHERTYPE_IPV6 = 0x86dd;

/** Linux `PACKET_*` packet types (include/uapi/linux/if_packet.h), as SLL/SLL2 record them. */
const SLL_DIRECTIONS: PacketDirection[] = ['host', 'broadcast', 'multicast', 'otherhost', 'out'];

/** Decodes the frame at b[o..end) with the given link type into p. Never throws. */
export function decodeFrame(p: Packet, b: Uint8Array, o: number, end: number, linkType: number): void {
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      decodeEthernet(p, b, o, end, 0);
      return;
    case LINKTYPE_LINUX_SLL2: {
      // struct sll2_header: protocol, reserved, if_index, hatype, pkttype, halen, addr[8]
      if (end - o < 20) {
        p.truncated = true;
        return;
      }
      p.iface = ((b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!) >>> 0;
      p.dir = SLL_DIRECTIONS[b[o + 10]!] ?? '';
      decodeEtherPayload(p, (b[o]! << 8) | b[o + 1]!, b, o + 20, end, 0);
      return;
    }
    case LINKTYPE_LINUX_SLL: {
      // struct sll_header: pkttype, hatype, halen, addr[8], protocol
      if (end - o < 16) {
        p.truncated = true;
        return;
      }
      p.dir = SLL_DIRECTIONS[(b[o]! << 8) | b[o + 1]!] ?? '';
      decodeEtherPayload(p, (b[o + 14]! << 8) | b[o + 15]!, b, o + 16, end, 0);
      return;
    }
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_12:
    case LINKTYPE_RAW_14:
      decodeRawIp(p, b, o, end, 0);
      return;
    case LINKTYPE_IPV4:
      p.ethertype = ETHERTYPE_IPV4;
      decodeIpv4(p, b, o, end, 0);
      return;
    case LINKTYPE_IPV6:
      p.ethertype = ETHERTYPE_IPV6;
      decodeIpv6(p, b, o, end, 0);
      return;
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP: {
      if (end - o < 4) {
        p.truncated = true;
        return;
      }
      // the address family is in host byte order for NULL, network order for LOOP
      const af = linkType === LINKTYPE_LOOP ? b[o + 3]! : b[o]! || b[o + 3]!;
      if (af === 2) {
        p.ethertype = ETHERTYPE_IPV4;
        decodeIpv4(p, b, o + 4, end, 0);
      } else if (af === 10 || af === 24 || af === 28 || af === 30) {
        p.ethertype = ETHERTYPE_IPV6;
        decodeIpv6(p, b, o + 4, end, 0);
      }
      return;
    }
    default:
      return;
  }
}

/** Raw IP: the version nibble says which. */
export function decodeRawIp(p: Packet, b: Uint8Array, o: number, end: number, depth: number): void {
  if (end - o < 1) {
    p.truncated = true;
    return;
  }
  const v = b[o]! >> 4;
  if (v === 4) {
    p.ethertype = ETHERTYPE_IPV4;
    decodeIpv4(p, b, o, end, depth);
  } else if (v === 6) {
    p.ethertype = ETHERTYPE_IPV6;
    decodeIpv6(p, b, o, end, depth);
  }
}

/** Ethernet II header (`eth_type_trans`); `depth` counts VXLAN nesting. */
export function decodeEthernet(p: Packet, b: Uint8Array, o: number, end: number, depth: number): void {
  if (end - o < 14) {
    p.truncated = true;
    return;
  }
  decodeEtherPayload(p, (b[o + 12]! << 8) | b[o + 13]!, b, o + 14, end, depth);
}

/** Whatever follows an ethertype: VLAN tags (`skb_vlan_untag`), then IPv4 or IPv6. */
function decodeEtherPayload(
  p: Packet,
  ethertype: number,
  b: Uint8Array,
  o: number,
  end: number,
  depth: number,
): void {
  let type = ethertype;
  let off = o;
  let tags = 0;
  while ((type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD) && tags < 4) {
    if (end - off < 4) {
      p.truncated = true;
      p.ethertype = type;
      return;
    }
    const vid = ((b[off]! << 8) | b[off + 1]!) & 0x0fff;
    p.vlans = tags === 0 ? [vid] : [...p.vlans, vid];
    type = (b[off + 2]! << 8) | b[off + 3]!;
    off += 4;
    tags++;
  }
  p.ethertype = type;
  if (type === ETHERTYPE_IPV4) decodeIpv4(p, b, off, end, depth);
  else if (type === ETHERTYPE_IPV6) decodeIpv6(p, b, off, end, depth);
}
