/**
 * @module checks/conntrack-unreplied-same-bridge
 * FM-01 from live state: `[UNREPLIED]` conntrack entries whose expected reply source (the
 * DNAT target) is a pod on the same bridge and subnet as the client. The reply of such a
 * backend is bridged at L2 (br_forward), so it meets conntrack only through br_netfilter;
 * the incident's own line: `tcp 6 119 SYN_SENT src=10.224.1.34 dst=10.233.53.172 ...
 * [UNREPLIED] src=10.224.1.56 dst=10.224.1.34 ...`.
 */
import type { Check } from './types.js';
import { finding, hasBridgeNetfilterKeys, needAll, sysctlEvidence, sysctlValue, sourceOf } from './util.js';
import { podNets } from './topology.js';
import { ipToInt, maskOf } from '../util/ipv4.js';
import { ctEvidence } from './conntrack-lines.js';

export const check: Check = {
  id: 'conntrack-unreplied-same-bridge',
  severity: 'critical',
  title: 'conntrack shows Service connections to a same-bridge pod that never saw a reply',
  fm: ['FM-01'],
  missing: (node) => needAll(node, 'conntrack', 'ip-addr'),
  run(node) {
    const nets = podNets(node).filter((n) => n.bridge);
    const netOf = (ip: string) => {
      const a = ipToInt(ip);
      return a === undefined ? undefined : nets.find((n) => (a & maskOf(n.len)) >>> 0 === n.addr);
    };
    const hits = (node.host.conntrack ?? []).filter((e) => {
      if (e.l3 !== 'ipv4' || !e.flags.includes('UNREPLIED')) return false;
      if (e.reply.src === e.orig.dst || e.reply.dst !== e.orig.src) return false; // not DNATed (or SNATed too)
      const c = netOf(e.orig.src);
      return c !== undefined && c === netOf(e.reply.src);
    });
    if (hits.length === 0) return [];
    const off =
      sysctlValue(node, 'net.bridge.bridge-nf-call-iptables') === '0' ||
      (node.host.known.has('sysctl') && !hasBridgeNetfilterKeys(node));
    const net = netOf(hits[0]!.orig.src)!;
    return [
      finding(check, node, {
        severity: off ? 'critical' : 'warning',
        title: `${hits.length} Service connection(s) from pods to a backend on the same bridge (${net.bridge}, ${net.text}) never saw a reply in conntrack`,
        symptom: off
          ? 'The backend answered, but its reply was bridged straight to the client without passing conntrack, so it arrived from the pod IP instead of the Service IP and the client reset it: the connection times out.'
          : 'The backend never answered through conntrack: either it is not listening (then the client sees a timeout or a refusal) or its reply bypassed netfilter on the bridge.',
        evidence: [
          ...hits
            .slice(0, 8)
            .map((e) =>
              ctEvidence(
                node,
                e,
                `client ${e.orig.src} and backend ${e.reply.src} are both in ${net.text} on ${net.bridge}; the Service address was ${e.orig.dst}`,
              ),
            ),
          ...(hits.length > 8
            ? [{ source: sourceOf(node, 'conntrack'), text: `... and ${hits.length - 8} more` }]
            : []),
          ...(node.host.known.has('sysctl')
            ? [sysctlEvidence(node, 'net.bridge.bridge-nf-call-iptables')]
            : []),
        ],
        fix: [
          {
            kind: 'runtime',
            description: 'let bridged frames pass iptables/conntrack, then drop the stuck entries',
            commands: [
              'sudo modprobe br_netfilter',
              'sudo sysctl -w net.bridge.bridge-nf-call-iptables=1',
              `sudo conntrack -D -p ${hits[0]!.proto} --orig-dst ${hits[0]!.orig.dst}${hits[0]!.proto === 'tcp' ? ' --state SYN_SENT' : ''}`,
            ],
          },
          {
            kind: 'persistent',
            description: 'keep br_netfilter and the sysctl across reboots',
            commands: [
              'echo br_netfilter | sudo tee /etc/modules-load.d/br_netfilter.conf',
              "echo 'net.bridge.bridge-nf-call-iptables = 1' | sudo tee /etc/sysctl.d/99-kubernetes.conf",
            ],
          },
        ],
        references: [
          'kubernetes/kubernetes#122174',
          'kubernetes/kubernetes#127031',
          'kelseyhightower/kubernetes-the-hard-way#561',
        ],
      }),
    ];
  },
};
