/**
 * @module pcap/signatures/flow-counter
 * Counts UDP, ICMP and other IP flows (TCP connections are counted by the tracker), with
 * idle expiry so the table holds live flows only, as conntrack's UDP timeout does.
 */
import type { Packet } from '../types.js';
import { PairMap, type Keyed } from './pair-map.js';

/** nf_conntrack_udp_timeout: an idle UDP flow is gone after 30 s */
const IDLE = 30;

interface Flow extends Keyed {
  proto: number;
  last: number;
}

export class FlowCounter {
  private readonly flows = new PairMap<Flow>();
  created = 0;

  /** flows in the table now */
  get live(): number {
    return this.flows.size;
  }

  touch(p: Packet): void {
    const f = this.flows.find(p);
    if (f !== undefined && f.proto === p.proto) {
      f.last = p.ts;
      return;
    }
    if (f !== undefined) return; // same addresses and ports, other protocol: counted once
    this.flows.insert({ k1: 0, k2: 0, ks: '', proto: p.proto, last: p.ts });
    this.created++;
  }

  sweep(now: number): void {
    this.flows.sweep((f) => now - f.last > IDLE);
  }
}
