/**
 * @module lab/build/plan
 * Scenario -> the ordered list of steps that build it (pure; the executor runs them).
 * Every step names the namespace it acts in: the plan has no way to express a command
 * in the machine's root namespace except creating and deleting `<prefix>-*` namespaces.
 *
 * Layout per node (flannel VXLAN + CNI bridge plugin as kubelet drives it):
 *   <P>-underlay: br0 (the "switch", gateway address) with one port per node;
 *   <P>-<node>:   eth0 (veth to the switch), cni0 bridge (pod gateway), flannel.1 VXLAN,
 *                 flannel's routes/neighbours/FDB, sysctls, kube-proxy + flannel iptables;
 *   <P>-<node>-<pod>: eth0 (veth whose peer is a cni0 port with hairpin on), routes.
 */
import { activeEndpoints } from '../scenario/refs.js';
import type { IptablesBackend, NodeSpec, PodSpec, Scenario } from '../scenario/types.js';
import { nodeIptablesRestore } from '../rules/node-iptables.js';
import { kubeProxyNft } from '../rules/kube-proxy-nft.js';
import {
  gatewayIP,
  macFor,
  nodeNetns,
  podNetns,
  podPrefixLen,
  podVethName,
  underlayGateway,
  underlayNetns,
  underlayPortName,
  underlayPrefixLen,
  vtepIP,
  vtepMac,
  vxlanMtu,
} from './names.js';

export type Step =
  | { kind: 'netns-add'; ns: string; what: string }
  /** `ip -n <ns> -batch -` */
  | { kind: 'ip'; ns: string; what: string; lines: string[] }
  /** `bridge -n <ns> -batch -` */
  | { kind: 'bridge'; ns: string; what: string; lines: string[] }
  /** `ip netns exec <ns> sysctl -w ...`; optional steps may fail (recorded, not fatal) */
  | { kind: 'sysctl'; ns: string; what: string; values: [string, string][]; optional?: boolean }
  | { kind: 'iptables-restore'; ns: string; what: string; backend: IptablesBackend; text: string }
  /** `ip netns exec <ns> nft -f -` */
  | { kind: 'nft'; ns: string; what: string; text: string }
  | { kind: 'responder'; ns: string; what: string; pod: PodSpec };

export interface Phase {
  name: string;
  /** steps of a concurrent phase may run at the same time */
  concurrent: boolean;
  steps: Step[];
}

export interface Plan {
  prefix: string;
  namespaces: string[];
  phases: Phase[];
}

function podsOf(sc: Scenario, node: NodeSpec): PodSpec[] {
  return sc.pods.filter((p) => p.node === node.name);
}

function nodeLinks(sc: Scenario, prefix: string, node: NodeSpec): Step {
  const mtu = vxlanMtu(sc, node);
  const lines = [
    'link set lo up',
    `link add eth0 mtu ${sc.cluster.nodeMtu} address ${macFor(`eth0/${node.name}`)} type veth peer name ${underlayPortName(node)} mtu ${sc.cluster.fabricMtu} netns ${underlayNetns(prefix)}`,
    `addr add ${node.underlayIP}/${underlayPrefixLen(sc)} dev eth0`,
    // the node's "NIC" segments before the wire, as hardware TSO does: GSO frames never reach the fabric
    'link set eth0 gso_max_segs 1 up',
    `link add cni0 mtu ${mtu} address ${macFor(`cni0/${node.name}`)} type bridge`,
    `addr add ${gatewayIP(node)}/${podPrefixLen(node)} dev cni0`,
    'link set cni0 up',
    // flannel's vxlan backend (pkg/backend/vxlan/device.go): VNI 1, port 8472, no learning
    `link add flannel.1 mtu ${mtu} address ${vtepMac(node)} type vxlan id 1 local ${node.underlayIP} dev eth0 dstport 8472 nolearning`,
    `addr add ${vtepIP(node)}/32 dev flannel.1`,
    'link set flannel.1 up',
  ];
  if (node.faults.defaultRoute !== false) lines.push(`route add default via ${underlayGateway(sc)} dev eth0`);
  for (const remote of sc.nodes.filter((n) => n !== node)) {
    lines.push(
      `route add ${remote.podCIDR} via ${vtepIP(remote)} dev flannel.1 onlink`,
      `neigh add ${vtepIP(remote)} lladdr ${vtepMac(remote)} dev flannel.1 nud permanent`,
    );
  }
  for (const pod of podsOf(sc, node)) {
    const veth = podVethName(pod);
    lines.push(
      `link add ${veth} mtu ${mtu} address ${macFor(`host/${pod.namespace}/${pod.name}`)} type veth peer name eth0 mtu ${mtu} address ${macFor(`pod/${pod.namespace}/${pod.name}`)} netns ${podNetns(prefix, pod)}`,
      `link set ${veth} master cni0`,
      `link set ${veth} type bridge_slave hairpin ${node.faults.hairpin ?? 'on'}`,
      `link set ${veth} up`,
    );
  }
  return {
    kind: 'ip',
    ns: nodeNetns(prefix, node.name),
    what: `${node.name}: eth0, cni0, flannel.1, pod veths`,
    lines,
  };
}

function podLinks(sc: Scenario, prefix: string, pod: PodSpec, node: NodeSpec): Step {
  const gw = gatewayIP(node);
  return {
    kind: 'ip',
    ns: podNetns(prefix, pod),
    what: `pod ${pod.namespace}/${pod.name}: eth0 ${pod.ip}`,
    lines: [
      'link set lo up',
      `addr add ${pod.ip}/${podPrefixLen(node)} dev eth0`,
      'link set eth0 up',
      `route add default via ${gw} dev eth0`,
      `route add ${sc.cluster.clusterCIDR} via ${gw} dev eth0`,
    ],
  };
}

function underlayLinks(sc: Scenario, prefix: string): Step {
  const lines = [
    'link set lo up',
    'link add br0 type bridge',
    `addr add ${underlayGateway(sc)}/${underlayPrefixLen(sc)} dev br0`,
  ];
  for (const n of sc.nodes)
    lines.push(`link set ${underlayPortName(n)} master br0`, `link set ${underlayPortName(n)} up`);
  lines.push('link set br0 up');
  return { kind: 'ip', ns: underlayNetns(prefix), what: 'underlay switch br0', lines };
}

function nodeSysctls(node: NodeSpec): [string, string][] {
  const f = node.faults;
  const v: [string, string][] = [
    // ip_forward first: writing it resets every conf.*.forwarding (devinet_sysctl_forward)
    ['net.ipv4.ip_forward', String(f.ipForward ?? 1)],
    // per network namespace since Linux 5.3 (br_netfilter brnf_net); a new netns starts with 1
    ['net.bridge.bridge-nf-call-iptables', String(f.bridgeNfCallIptables ?? 1)],
    ['net.bridge.bridge-nf-call-ip6tables', '1'],
  ];
  if (f.rpFilter !== undefined) {
    for (const dev of ['all', 'default', 'eth0', 'cni0', 'flannel/1'])
      v.push([`net.ipv4.conf.${dev}.rp_filter`, String(f.rpFilter)]);
  }
  return v;
}

export function buildPlan(sc: Scenario, prefix: string): Plan {
  const namespaces = [
    underlayNetns(prefix),
    ...sc.nodes.map((n) => nodeNetns(prefix, n.name)),
    ...sc.pods.map((p) => podNetns(prefix, p)),
  ];
  const nodeOf = (p: PodSpec): NodeSpec => sc.nodes.find((n) => n.name === p.node)!;
  const phases: Phase[] = [
    {
      name: 'namespaces',
      concurrent: false,
      steps: namespaces.map((ns) => ({ kind: 'netns-add', ns, what: `namespace ${ns}` })),
    },
    { name: 'node links', concurrent: true, steps: sc.nodes.map((n) => nodeLinks(sc, prefix, n)) },
    {
      name: 'pod links and underlay',
      concurrent: true,
      steps: [underlayLinks(sc, prefix), ...sc.pods.map((p) => podLinks(sc, prefix, p, nodeOf(p)))],
    },
    {
      name: 'flannel fdb, sysctls, iptables',
      concurrent: true,
      steps: sc.nodes.flatMap((n): Step[] => {
        const ns = nodeNetns(prefix, n.name);
        const steps: Step[] = [];
        const fdb = sc.nodes
          .filter((r) => r !== n)
          .map((r) => `fdb append ${vtepMac(r)} dev flannel.1 dst ${r.underlayIP} self permanent`);
        if (fdb.length) steps.push({ kind: 'bridge', ns, what: `${n.name}: flannel.1 FDB`, lines: fdb });
        steps.push({ kind: 'sysctl', ns, what: `${n.name}: sysctls`, values: nodeSysctls(n) });
        if (n.faults.conntrackMax !== undefined) {
          steps.push({
            kind: 'sysctl',
            ns,
            what: `${n.name}: nf_conntrack_max`,
            values: [['net.netfilter.nf_conntrack_max', String(n.faults.conntrackMax)]],
            optional: true,
          });
        }
        steps.push({
          kind: 'iptables-restore',
          ns,
          what: `${n.name}: kube-proxy + flannel rules`,
          backend: sc.iptablesBackend,
          text: nodeIptablesRestore(sc, n),
        });
        if (sc.proxyMode === 'nftables')
          steps.push({
            kind: 'nft',
            ns,
            what: `${n.name}: kube-proxy nftables table`,
            text: kubeProxyNft(sc, n),
          });
        return steps;
      }),
    },
    {
      name: 'responders',
      concurrent: true,
      steps: sc.pods
        .filter((p) => p.listeners.length > 0)
        .map((p) => ({
          kind: 'responder',
          ns: podNetns(prefix, p),
          what: `responder in ${p.namespace}/${p.name}`,
          pod: p,
        })),
    },
  ];
  return { prefix, namespaces, phases };
}

/** Endpoints of every Service, for display (`lab up` prints them). */
export function describeServices(sc: Scenario): string[] {
  return sc.services.map((s) => {
    const eps = activeEndpoints(sc, s).map((p) => `${p.ip} (${p.node})`);
    return `${s.namespace}/${s.name} ${s.clusterIP} ${s.ports.map((p) => `${p.port}/${p.protocol}`).join(',')} -> ${eps.join(', ') || 'no endpoints'}`;
  });
}
