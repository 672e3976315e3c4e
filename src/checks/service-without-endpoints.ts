/**
 * @module checks/service-without-endpoints
 * FM-17: kube-proxy (iptables mode) REJECTs traffic to a Service without ready endpoints in
 * filter KUBE-SERVICES (`... has no endpoints ... -j REJECT`): ICMP port unreachable, which TCP
 * turns into "connection refused". IPVS mode: a virtual service without real servers.
 * nftables mode: an element of kube-proxy's `no-endpoint-services` verdict map (its comment
 * names the Service port).
 */
import type { Check, Evidence } from './types.js';
import { finding, needAny, sourceOf } from './util.js';
import { commentOf, rulesets } from './rules.js';
import { kubeServices } from './services.js';

export const check: Check = {
  id: 'service-without-endpoints',
  severity: 'warning',
  title: 'Services without endpoints: connections to them are refused',
  fm: ['FM-17'],
  missing: (node) => needAny(node, 'iptables', 'ipvsadm', 'nft-ruleset'),
  run(node) {
    const ev: Evidence[] = [];
    for (const src of rulesets(node))
      for (const [chainName, c] of Object.entries(src.rs.tables.filter?.chains ?? {}))
        for (const r of c.rules)
          if (r.target?.t === 'REJECT' && commentOf(r)?.includes('has no endpoints'))
            ev.push({ source: src.source, line: r.line, text: `-A ${chainName} ${r.text}` });
    const nftFile = sourceOf(node, 'nft-ruleset');
    for (const t of node.host.nft?.tables ?? []) {
      const vmap = t.sets.get('no-endpoint-services');
      if (t.name !== 'kube-proxy' || !vmap) continue;
      for (const e of vmap.elements) {
        const k = e.key;
        const parts =
          k && typeof k === 'object' && !Array.isArray(k) && Array.isArray(k.concat) ? k.concat : [k];
        const key = parts.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(' . ');
        const name = e.comment ?? key;
        ev.push({
          source: nftFile,
          line: vmap.item,
          text: `${t.family} ${t.name} map no-endpoint-services: ${key} ("${name} has no endpoints")`,
        });
      }
    }
    const ipvsEmpty = kubeServices(node).filter(
      (s) => s.source.includes('ipvsadm') && s.endpoints.length === 0,
    );
    for (const s of ipvsEmpty)
      ev.push({
        source: s.source,
        line: s.line,
        text: `IPVS virtual service ${s.proto.toUpperCase()} ${s.vip}:${s.port} has no real servers`,
      });
    if (ev.length === 0) return [];
    const names = ev
      .map((e) => /"([^"]+) has no endpoints"/.exec(e.text)?.[1])
      .filter((x): x is string => !!x);
    return [
      finding(check, node, {
        title: `${ev.length} Service port(s) without endpoints${names.length ? `: ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''}` : ''}`,
        symptom:
          'Connections to these Services fail at once with "connection refused" (ICMP port unreachable from the node; IPVS: a timeout). A host process listening on a NodePort of such a Service is unreachable too (the REJECT covers every local address).',
        evidence: ev.slice(0, 12),
        fix: [
          {
            kind: 'runtime',
            description:
              'find why no pod is ready behind the Service (selector, readiness probe, port names)',
            commands: [...new Set(names.slice(0, 5).map((n) => n.split(':')[0]!))].map(
              (n) =>
                `kubectl -n ${n.split('/')[0]} get endpointslices -l kubernetes.io/service-name=${n.split('/')[1]} -o wide`,
            ),
          },
          {
            kind: 'persistent',
            description:
              'fix the selector or readiness of the backing pods; keep NodePorts away from ports host services use (--service-node-port-range, nodePortAddresses)',
            commands: ['kubectl describe service <name>'],
          },
        ],
        references: [
          'kubernetes/kubernetes#17359',
          'kubernetes/kubernetes#97360',
          'kubernetes/kubernetes#78994',
          'weaveworks/weave#3392',
          'projectcalico/calico#2024',
        ],
      }),
    ];
  },
};
