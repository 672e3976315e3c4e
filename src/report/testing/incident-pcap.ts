/**
 * @module report/testing/incident-pcap
 * A capture of the incident on the client's veth (SYN to the VIP, SYN-ACK from the pod,
 * RST, retransmitted three times), analysed, for the report's capture timeline.
 */
import { Scenario } from '../../pcap/testing/scenario.js';
import { analyzeBuffer } from '../../pcap/analyze.js';
import type { PcapReport } from '../../pcap/types.js';

export function incidentPcapBytes(): Uint8Array {
  const s = new Scenario();
  const A = '10.224.1.34';
  const VIP = '10.233.53.172';
  const B = '10.224.1.56';
  const isn = 1108986852;
  [0, 1, 3, 7].forEach((t, i) => {
    s.at(t).tcp(A, 45954, VIP, 8080, 'S', { seq: isn, mss: 1410, wscale: 7 });
    s.at(t + 0.0001).tcp(B, 8080, A, 45954, 'S.', { seq: 3860576650 + i, ack: isn + 1 });
    s.at(t + 0.00011).tcp(A, 45954, B, 8080, 'R', { seq: isn + 1 });
  });
  return s.pcap();
}

export function incidentPcapReport(names?: Map<string, string>): PcapReport {
  return analyzeBuffer(incidentPcapBytes(), { file: 'client-veth.pcap', names });
}
