/**
 * @module lab/probe/types
 * What `lab probe` reports: per flow, the set of outcomes a client saw, and per Service
 * endpoint which outcomes its connections had (so a Service with a same-node and a
 * cross-node endpoint shows both).
 */
import type { FlowExpect, IptablesBackend, ProbeOutcome, Proto } from '../scenario/types.js';

/** A flow with every reference resolved to addresses and namespaces. */
export interface ResolvedFlow {
  scenario: string;
  name: string;
  proto: Proto;
  /** as written in the scenario */
  from: string;
  to: string;
  /** namespace the client runs in */
  netns: string;
  /** node whose netns holds the client's conntrack entry (the node that DNATs) */
  node: string;
  /** client address (a pod IP, or the node's underlay IP for host-network clients) */
  src: string;
  dst: string;
  dport: number;
  attempts: number;
  replyBytes: number;
  /** Service flows: `ip:targetPort` of each endpoint -> pod `ns/name` */
  endpoints: Record<string, string>;
  /** Service flows: KUBE-SEP chain of each endpoint on the client's node -> `ip:targetPort` */
  sepChains: Record<string, string>;
  /** backend holding the rules, for reading DNAT counters */
  backend: IptablesBackend;
  /** pod flows: the pod */
  targetPod?: string;
  expect?: FlowExpect;
  note?: string;
  differential: boolean;
}

export interface ProbeAttempt {
  outcome: ProbeOutcome | 'error';
  localPort?: number;
  /** `ip:port` that answered or that the DNAT chose */
  endpoint?: string;
  /** pod `ns/name` of the endpoint */
  pod?: string;
  /**
   * how the endpoint is known: the responder said so, the node's conntrack entry, the
   * flow's target pod, or (for packets dropped before nf_confirm, whose conntrack entry
   * never reached the table) the DNAT rule counters: then `candidates` lists the endpoints
   * the attempt's SYNs may have been sent to
   */
  via?: 'reply' | 'conntrack' | 'target' | 'counters';
  candidates?: string[];
  errno?: string;
  ms: number;
  /** TCP handshake completed but the reply never fully arrived */
  stalledAfterHandshake?: boolean;
}

export interface EndpointOutcomes {
  endpoint: string;
  pod?: string;
  outcomes: ProbeOutcome[];
  /** attempts attributed to this endpoint (by reply, conntrack, target or counters) */
  count: number;
  /** DNAT decisions for this endpoint during the flow (KUBE-SEP DNAT rule packet counter delta) */
  dnat?: number;
}

export interface ProbeResult {
  flow: ResolvedFlow;
  /** the single outcome, or 'mixed' when attempts differ */
  outcome: ProbeOutcome | 'mixed' | 'error';
  /** sorted set of outcomes seen */
  outcomes: ProbeOutcome[];
  endpoints: EndpointOutcomes[];
  /** attempts whose endpoint could not be told (REJECTed, or no conntrack entry) */
  unattributed: ProbeOutcome[];
  attempts: ProbeAttempt[];
  /** undefined when the flow has no `expect` */
  expectMet?: boolean;
  /** why the expectation failed */
  expectDetail?: string;
  error?: string;
}
