/**
 * @module checks/hairpin-mode-off
 * FM-09: br_forward's should_deliver never sends a frame back out of the port it came in on
 * unless that port has hairpin_mode; a pod then cannot reach itself through its own Service.
 */
import type { Check } from './types.js';
import { podBridges } from './util.js';

export const hairpinModeOff: Check = {
  id: 'hairpin-mode-off',
  severity: 'warning',
  title: 'bridge ports of pods without hairpin_mode: a pod cannot reach itself through its Service',
  fm: ['FM-09'],
  run(node) {
    const off = [];
    const bl = new Map(node.host.bridgeLinks.map((b) => [b.ifname, b]));
    for (const { bridge, ports } of podBridges(node)) {
      for (const p of ports) {
        const hp = p.bridgePort?.hairpin ?? bl.get(p.name)?.hairpin;
        if (hp === false) off.push({ bridge: bridge.name, port: p, line: bl.get(p.name)?.line ?? p.line, src: bl.has(p.name) ? 'bridge-link' : 'ip-link' });
      }
    }
    if (off.length === 0) return [];
    return [
      {
        id: this.id,
        severity: this.severity,
        node: node.name,
        title: this.title,
        symptom: 'A pod that calls its own Service times out when the load balancer picks the pod itself (hairpin); other callers work.',
        evidence: off.slice(0, 20).map((o) => ({ source: node.sourceFiles[o.src] ?? o.src, line: o.line, text: `${o.port.name} (port of ${o.bridge}) hairpin off` })),
        fix: [
          { kind: 'runtime', description: 'turn hairpin on for the ports', commands: off.slice(0, 20).map((o) => `sudo ip link set ${o.port.name} type bridge_slave hairpin on`) },
          { kind: 'persistent', description: 'let kubelet/CNI set it', commands: ['kubelet --hairpin-mode=hairpin-veth   # or "hairpinMode": true in the CNI bridge config'] },
        ],
        references: ['kubernetes/kubernetes#45790', 'kubernetes/kubernetes#20475', 'containernetworking/plugins#200'],
      },
    ];
  },
};
