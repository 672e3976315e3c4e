/**
 * @module sim/types
 * Packets, hops and paths of the data-plane simulator. Trace -> Path -> Hop, each hop a
 * stage named after the kernel function it models, ending in a verdict from a closed set.
 */

export type Proto = 'tcp' | 'udp' | 'icmp';

/** TCP flags as tcpdump prints them: S, S., R, R., . ; UDP: '' */
export type TcpFlags = 'S' | 'S.' | 'R' | 'R.' | '.';

export interface Packet {
  proto: Proto;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  flags: TcpFlags | '';
  /** skb->mark */
  mark: number;
  ttl: number;
  srcMac?: string;
  dstMac?: string;
  /** ICMP error: type/code and the embedded original header */
  icmp?: {
    type: number;
    code: number;
    inner: { src: string; dst: string; sport: number; dport: number; proto: Proto };
  };
}

export type Verdict =
  | 'continue' // the packet goes on
  | 'accept'
  | 'drop'
  | 'reject'
  | 'deliver' // handed to a socket / the peer
  | 'unknown'; // the model cannot tell (unsupported match, missing snapshot)

export interface RuleRef {
  source: string; // file or source id, e.g. iptables-legacy-save
  line: number;
  text: string;
  table: string;
  chain: string;
}

export interface Hop {
  node: string;
  /** 'host' or the pod namespace */
  ns: string;
  device?: string;
  stage: string;
  /** table/hook detail, e.g. 'nat PREROUTING' */
  detail?: string;
  rule?: RuleRef;
  before?: string;
  after?: string;
  verdict: Verdict;
  note?: string;
}

export type Outcome = 'connected' | 'refused' | 'timeout' | 'unreachable' | 'unknown';

export interface Flow {
  proto: 'tcp' | 'udp';
  src: string;
  dst: string;
  dport: number;
  sport?: number;
}

export interface PathResult {
  /** endpoint chosen by load balancing (post-DNAT destination), ip:port */
  endpoint: string;
  /** node hosting the endpoint, when known */
  endpointNode?: string;
  probability: number;
  outcome: Outcome;
  request: Hop[];
  reply: Hop[];
  cause: string;
  /** short machine-readable cause id, e.g. 'reply-bypassed-conntrack' */
  causeId?: string;
  /** the hop (index into request or reply) where it broke */
  breaksAt?: { leg: 'request' | 'reply'; index: number };
  assumptions: string[];
}
