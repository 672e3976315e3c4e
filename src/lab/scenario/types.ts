/**
 * @module lab/scenario/types
 * A lab scenario: a small declarative description of a flannel + kube-proxy (iptables mode)
 * cluster, its faults, and the flows to probe. Written in YAML under `lab/scenarios/`.
 */
import type { Diagnostic } from '../../parse/diagnostic.js';

export type Proto = 'tcp' | 'udp';
export type ProbeOutcome = 'connected' | 'refused' | 'timeout' | 'unreachable';
export type IptablesBackend = 'legacy' | 'nft';
/** kube-proxy's mode: iptables rules (through `iptablesBackend`) or its own nftables table */
export type ProxyMode = 'iptables' | 'nftables';

/** Fault knobs. Set per node, or under `cluster.faults` for every node (node values win). */
export interface NodeFaults {
  /** net.bridge.bridge-nf-call-iptables in the node netns (default 1) */
  bridgeNfCallIptables?: 0 | 1;
  /** net.ipv4.ip_forward (default 1, as kubelet/flannel set it) */
  ipForward?: 0 | 1;
  /** filter FORWARD policy DROP (as Docker >= 1.13 sets it) */
  forwardPolicyDrop?: boolean;
  /** write flannel's FLANNEL-FWD accept rules (default true; old flannel had none) */
  flannelForwardRules?: boolean;
  /** write flannel's FLANNEL-POSTRTG masquerade rules (default true; false = flanneld --ip-masq=false) */
  flannelMasquerade?: boolean;
  /** hairpin_mode of the pod ports on cni0 (default on, as kubelet sets it) */
  hairpin?: 'on' | 'off';
  /** net.netfilter.nf_conntrack_max (read-only outside init_net on most kernels: recorded when not applied) */
  conntrackMax?: number;
  /** MTU of flannel.1 and of the pod interfaces (default: node MTU - 50) */
  vxlanMtu?: number;
  /** net.ipv4.conf.{all,default,eth0,cni0,flannel.1}.rp_filter */
  rpFilter?: 0 | 1 | 2;
  /** leave out the KUBE-POSTROUTING MASQUERADE rule */
  masqueradeMissing?: boolean;
  /** false: the node has no default route (destinations outside the cluster get ICMP net unreachable) */
  defaultRoute?: boolean;
}

export interface ClusterSpec {
  clusterCIDR: string;
  serviceCIDR: string;
  /** underlay subnet; nodes' underlay IPs live in it, its first address is the gateway */
  underlayCIDR: string;
  /** MTU of the nodes' eth0 (what the nodes believe) */
  nodeMtu: number;
  /** MTU of the underlay fabric (the switch ports); smaller than nodeMtu = silent black hole */
  fabricMtu: number;
  faults: NodeFaults;
  /** Services whose endpoints are dropped (as if no pod were ready) */
  servicesWithoutEndpoints: string[];
}

export interface NodeSpec {
  name: string;
  podCIDR: string;
  underlayIP: string;
  faults: NodeFaults;
}

export interface Listener {
  proto: Proto;
  port: number;
}

export interface PodSpec {
  name: string;
  namespace: string;
  node: string;
  ip: string;
  listeners: Listener[];
}

export interface ServicePortSpec {
  name: string;
  port: number;
  targetPort: number;
  protocol: Proto;
}

export interface ServiceSpec {
  namespace: string;
  name: string;
  clusterIP: string;
  ports: ServicePortSpec[];
  /** pod refs `ns/name` */
  endpoints: string[];
  sessionAffinity: 'None' | 'ClientIP';
}

/** Where a flow goes, as written: `svc:ns/name:port`, `pod:ns/name:port` or `IP:port`. */
export type FlowTarget =
  | { kind: 'service'; ref: string; port: string }
  | { kind: 'pod'; ref: string; port: number }
  | { kind: 'ip'; ip: string; port: number };

/** Expected outcome: one for the flow, or one per endpoint pod (`ns/name` or `name`). */
export type FlowExpect = ProbeOutcome | 'mixed' | Record<string, ProbeOutcome>;

export interface FlowSpec {
  name: string;
  /** pod ref `ns/name`, or `node:<name>` for a host-network client */
  from: string;
  to: FlowTarget;
  /** as written, for display */
  toText: string;
  proto: Proto;
  /** bytes the client asks the responder to send back (large replies expose MTU problems) */
  replyBytes: number;
  /** connect attempts (default 1 for pods and IPs, 12 for Services with several endpoints) */
  attempts?: number;
  expect?: FlowExpect;
  /** why the expectation is what it is (kernel function, surprising behaviour) */
  note?: string;
  /** false when podpath's snapshots cannot show the cause (e.g. the fabric MTU); lab verify lists it apart */
  differential: boolean;
}

/** A check `podpath check` must report on the lab's snapshots (`id` or `id:severity`). */
export interface ExpectedCheck {
  id: string;
  /** when given, every finding of this id has this severity */
  severity?: 'critical' | 'warning' | 'info';
}

export interface Scenario {
  name: string;
  description: string;
  /**
   * The checks that name the planted fault(s): `podpath check` on the collected snapshots
   * must report exactly these ids (any node), nothing else. Empty for a healthy cluster.
   */
  expectChecks: ExpectedCheck[];
  iptablesBackend: IptablesBackend;
  /** kube-proxy mode (default iptables); flannel's rules stay in iptables (`iptablesBackend`) either way */
  proxyMode: ProxyMode;
  cluster: ClusterSpec;
  nodes: NodeSpec[];
  pods: PodSpec[];
  services: ServiceSpec[];
  flows: FlowSpec[];
  /** file it was read from */
  file?: string;
}

export interface ScenarioDiagnostic extends Diagnostic {
  /** JSON pointer of the offending value, e.g. `/pods/2/ip` */
  path: string;
}

export interface ScenarioParseResult {
  value: Scenario | undefined;
  diagnostics: ScenarioDiagnostic[];
}
