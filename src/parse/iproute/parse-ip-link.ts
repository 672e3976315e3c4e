/**
 * @module parse/iproute/parse-ip-link
 * `ip -j -d link show` -> Link[]. The kernel side is `rtnl_fill_ifinfo`; the bridge, bridge
 * port and VXLAN details come from `br_fill_info`, `br_port_fill_attrs` and `vxlan_fill_info`
 * through `linkinfo.info_data` / `linkinfo.info_slave_data`.
 */
import type { ParseResult } from '../diagnostic.js';
import type { BridgeInfo, BridgePortInfo, Link, VxlanInfo } from '../../model/net.js';
import { FieldReader } from './fields.js';
import { readJsonArray } from './read-json-array.js';

const WHAT = 'ip -j link';

export function parseIpLink(text: string): ParseResult<Link[]> {
  const { elements, diagnostics } = readJsonArray(text, WHAT);
  const links: Link[] = [];
  for (const el of elements) {
    const f = new FieldReader(WHAT, el, diagnostics);
    const name = f.required('ifname');
    if (name === undefined) continue;
    const index = f.requiredNum('ifindex');
    if (index === undefined) continue;
    const link: Link = {
      index,
      name,
      mtu: f.num('mtu') ?? 0,
      operstate: f.str('operstate') ?? 'UNKNOWN',
      flags: f.strings('flags'),
      line: el.index,
    };
    const mac = f.str('address');
    if (mac !== undefined) link.mac = mac;
    const linkType = f.str('link_type');
    if (linkType !== undefined) link.linkType = linkType;
    const master = f.str('master');
    if (master !== undefined) link.master = master;
    // `link` is the peer's name when it is in this namespace, `link_index` (+ `link_netnsid`) otherwise
    const peerIndex = f.num('link_index');
    if (peerIndex !== undefined) link.peerIndex = peerIndex;
    const peerName = typeof el.value.link === 'string' ? el.value.link : undefined;
    if (peerName !== undefined) link.peerName = peerName;
    const netnsId = f.num('link_netnsid');
    if (netnsId !== undefined) link.peerNetnsId = netnsId;

    const info = f.obj('linkinfo');
    if (info) {
      const kind = f.str('info_kind', info);
      if (kind !== undefined) link.kind = kind;
      const data = f.obj('info_data', info);
      if (kind === 'vxlan' && data) link.vxlan = vxlanInfo(f, data);
      if (kind === 'bridge' && data) link.bridge = bridgeInfo(f, data);
      const slaveData = f.obj('info_slave_data', info);
      if (f.str('info_slave_kind', info) === 'bridge' && slaveData)
        link.bridgePort = bridgePortInfo(f, slaveData);
    }
    links.push(link);
  }
  resolvePeerNames(links);
  return { value: links, diagnostics };
}

/** `"link": "veth1p"` names a peer in the same namespace: give it its index too */
function resolvePeerNames(links: Link[]): void {
  const byName = new Map(links.map((l) => [l.name, l.index]));
  for (const l of links) {
    if (l.peerName !== undefined && l.peerIndex === undefined && l.peerNetnsId === undefined) {
      const i = byName.get(l.peerName);
      if (i !== undefined) l.peerIndex = i;
    }
  }
}

function vxlanInfo(f: FieldReader, d: Record<string, unknown>): VxlanInfo {
  // vxlan_fill_info: IFLA_VXLAN_ID, _LOCAL/_LOCAL6, _GROUP/_GROUP6 ("group" if multicast,
  // else "remote"), _LINK ("link"), _PORT ("port"), _LEARNING
  const v: VxlanInfo = {
    id: f.num('id', d) ?? 0,
    // the kernel's default destination port when none is given is 8472 (vxlan_newlink)
    port: f.num('port', d) ?? 8472,
    learning: f.bool('learning', d) ?? true,
  };
  const local = f.str('local', d) ?? f.str('local6', d);
  if (local !== undefined) v.local = local;
  const remote = f.str('remote', d) ?? f.str('group', d) ?? f.str('remote6', d) ?? f.str('group6', d);
  if (remote !== undefined) v.remote = remote;
  const dev = typeof d.link === 'string' ? d.link : typeof d.dev === 'string' ? d.dev : undefined;
  if (dev !== undefined) v.dev = dev;
  return v;
}

function bridgeInfo(f: FieldReader, d: Record<string, unknown>): BridgeInfo {
  const b: BridgeInfo = {
    stp: (f.num('stp_state', d) ?? 0) !== 0,
    vlanFiltering: (f.num('vlan_filtering', d) ?? 0) !== 0,
  };
  const ipt = f.num('nf_call_iptables', d);
  if (ipt !== undefined) b.nfCallIptables = ipt !== 0;
  const ip6t = f.num('nf_call_ip6tables', d);
  if (ip6t !== undefined) b.nfCallIp6tables = ip6t !== 0;
  return b;
}

/** br_port_fill_attrs: defaults are those of a new port (new_nbp: learning and flood on) */
export function bridgePortInfo(f: FieldReader, d: Record<string, unknown>): BridgePortInfo {
  return {
    state: f.str('state', d) ?? 'unknown',
    hairpin: f.bool('hairpin', d) ?? f.bool('hairpin_mode', d) ?? false,
    learning: f.bool('learning', d) ?? true,
    flood: f.bool('flood', d) ?? true,
    isolated: f.bool('isolated', d) ?? false,
  };
}
