/**
 * @module checks/hairpin-mode-off
 * FM-09: br_forward's should_deliver never sends a frame back out of the port it came in on
 * unless that port has hairpin_mode (BR_HAIRPIN_MODE); a pod then cannot reach itself
 * through its own Service. Bridges in promiscuous-bridge mode (PROMISC) are skipped.
 */
import type { Check } from './types.js';
import { finding, needAny, sourceOf } from './util.js';
import { podBridges } from './topology.js';

export const check: Check = {
  id: 'hairpin-mode-off',
  severity: 'warning',
  title: 'bridge ports of pods without hairpin_mode: a pod cannot reach itself through its Service',
  fm: ['FM-09'],
  missing: (node) => needAny(node, 'bridge-link', 'ip-link'),
  run(node) {
    const off: { bridge: string; port: string; line?: number; src: string }[] = [];
    const bl = new Map(node.host.bridgeLinks.map((b) => [b.ifname, b]));
    for (const { bridge, ports } of podBridges(node)) {
      if (bridge.flags.includes('PROMISC')) continue; // kubelet --hairpin-mode=promiscuous-bridge
      for (const p of ports) {
        const b = bl.get(p.name);
        const hp = b ? b.hairpin : p.bridgePort?.hairpin;
        if (hp === false)
          off.push({
            bridge: bridge.name,
            port: p.name,
            line: b?.line ?? p.line,
            src: b ? 'bridge-link' : 'ip-link',
          });
      }
    }
    if (off.length === 0) return [];
    const shown = off.slice(0, 20);
    return [
      finding(check, node, {
        symptom:
          'A pod that calls its own Service times out when the load balancer picks the pod itself (always with one replica, 1/N of the time otherwise); other callers work.',
        evidence: [
          ...shown.map((o) => ({
            source: sourceOf(node, o.src),
            line: o.line,
            text: `${o.port} (port of ${o.bridge}): hairpin off`,
          })),
          ...(off.length > shown.length
            ? [
                {
                  source: sourceOf(node, 'bridge-link'),
                  text: `... and ${off.length - shown.length} more port(s)`,
                },
              ]
            : []),
        ],
        fix: [
          {
            kind: 'runtime',
            description: 'turn hairpin on for the ports',
            commands: shown.map((o) => `sudo bridge link set dev ${o.port} hairpin on`),
          },
          {
            kind: 'persistent',
            description: 'let the CNI / kubelet set it for every new pod',
            commands: [
              '"hairpinMode": true   # in the bridge plugin of /etc/cni/net.d/*.conflist (flannel: cbr0 delegate)',
              'kubelet --hairpin-mode=hairpin-veth',
            ],
          },
        ],
        references: [
          'kubernetes/kubernetes#13375',
          'kubernetes/kubernetes#20475',
          'kubernetes/kubernetes#43966',
          'flannel-io/flannel#849',
          'cloudnativelabs/kube-router#189',
        ],
        versions: ['kubelet 1.6 regression left hairpin_mode 0 (kubernetes#43966)'],
      }),
    ];
  },
};
