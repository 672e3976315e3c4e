/**
 * @module checks/etp-local-no-local-endpoint
 * FM-16: Services with externalTrafficPolicy: Local drop external traffic on nodes without a
 * local endpoint (filter KUBE-EXTERNAL-SERVICES `... has no local endpoints` DROP, or the older
 * nat KUBE-XLB-* -> KUBE-MARK-DROP). Expected when load balancers honour the health check
 * node port; a black hole when they do not.
 */
import type { Check, Evidence } from './types.js';
import { finding, needAny } from './util.js';
import { allRules, commentOf, ruleText, rulesets } from './rules.js';

export const check: Check = {
  id: 'etp-local-no-local-endpoint',
  severity: 'info',
  title:
    'externalTrafficPolicy: Local Services have no endpoint on this node: external traffic sent here is dropped',
  fm: ['FM-16'],
  missing: (node) => needAny(node, 'iptables'),
  run(node) {
    const ev: Evidence[] = [];
    for (const src of rulesets(node))
      for (const { chain, rule } of allRules(src.rs))
        if (
          commentOf(rule)?.includes('has no local endpoints') &&
          (rule.target?.t === 'DROP' || (rule.target?.t === 'jump' && rule.target.chain === 'KUBE-MARK-DROP'))
        )
          ev.push({ source: src.source, line: rule.line, text: ruleText(chain, rule) });
    if (ev.length === 0) return [];
    return [
      finding(check, node, {
        symptom:
          'Connections to the NodePort / LoadBalancer IP of these Services through this node hang (silent drop); fine as long as the load balancer uses the healthCheckNodePort (503 here) and skips this node.',
        evidence: ev.slice(0, 10),
        fix: [
          {
            kind: 'runtime',
            description: 'check what the load balancer sees on this node',
            commands: [
              'curl -s http://<node-ip>:<healthCheckNodePort>/healthz   # 503 + localEndpoints: 0 here',
            ],
          },
          {
            kind: 'persistent',
            description:
              'make the LB honour healthCheckNodePort, run endpoints on every LB target node (DaemonSet), or use externalTrafficPolicy: Cluster',
            commands: [
              'kubectl patch svc <name> -p \'{"spec":{"externalTrafficPolicy":"Cluster"}}\'   # if the client source IP does not matter',
            ],
          },
        ],
        references: [
          'kubernetes/kubernetes#66354',
          'kubernetes/kubernetes#104105',
          'kubernetes/kubernetes#92761',
          'kubernetes/website#2499',
          'cloudnativelabs/kube-router#455',
        ],
      }),
    ];
  },
};
