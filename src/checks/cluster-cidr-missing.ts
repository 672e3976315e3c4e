/**
 * @module checks/cluster-cidr-missing
 * FM-18: kube-proxy marks Service traffic for masquerade only when its local-traffic detector
 * says the source is outside the cluster (`! -s <clusterCIDR>`, `! -i <bridge>`, ...). With no
 * detector and no masquerade-all, off-cluster clients are DNATed but not SNATed; a backend on
 * another node replies around the DNAT node and the client gets a reply from the pod IP.
 */
import type { Check, Evidence } from './types.js';
import type { Rule } from '../model/iptables.js';
import { finding, needAny } from './util.js';
import { allRules, commentOf, ruleEvidence, rulesets } from './rules.js';

const CLUSTER_IP = /cluster IP|cluster ip/;

function isMarkMasq(r: Rule): boolean {
  return r.target?.t === 'jump' && r.target.chain === 'KUBE-MARK-MASQ';
}

export const check: Check = {
  id: 'cluster-cidr-missing',
  severity: 'warning',
  title:
    'kube-proxy has no cluster CIDR (no local-traffic detector) and no masquerade-all: off-cluster clients break',
  fm: ['FM-18'],
  missing: (node) => needAny(node, 'iptables'),
  run(node) {
    for (const src of rulesets(node)) {
      const clusterRules = [...allRules(src.rs, 'nat')].filter(
        (x) =>
          (CLUSTER_IP.test(commentOf(x.rule) ?? '') &&
            (x.chain.name === 'KUBE-SERVICES' || x.chain.name.startsWith('KUBE-SVC-'))) ||
          (x.chain.name === 'KUBE-SERVICES' &&
            x.rule.matches.some((m) => m.m === 'set' && m.setName.value === 'KUBE-CLUSTER-IP')),
      );
      if (clusterRules.length === 0) continue;
      const masq = clusterRules.filter((x) => isMarkMasq(x.rule));
      if (masq.length > 0) continue; // a detector (`! -s`, `! -i`) or masquerade-all (unconditional) is there
      const first = clusterRules[0]!;
      const ev: Evidence[] = [
        ruleEvidence(src, first, 'a Service rule'),
        {
          source: src.source,
          text: `none of the ${clusterRules.length} ClusterIP rules (iptables "cluster IP" comments, IPVS KUBE-CLUSTER-IP set) jumps to KUBE-MARK-MASQ (no \`! -s <clusterCIDR> ... -j KUBE-MARK-MASQ\`)`,
        },
      ];
      return [
        finding(check, node, {
          symptom:
            'Clients outside the pod network (host processes on other nodes, VMs or a bastion routing the Service CIDR to a node) time out on a ClusterIP whenever the chosen endpoint is on another node: the backend replies directly and the client resets the reply from the pod IP.',
          evidence: ev,
          fix: [
            {
              kind: 'runtime',
              description: 'see the kube-proxy configuration',
              commands: [
                'kubectl -n kube-system get configmap kube-proxy -o yaml | grep -E "clusterCIDR|detectLocal|masqueradeAll"',
              ],
            },
            {
              kind: 'persistent',
              description:
                'set clusterCIDR (or detectLocalMode) in KubeProxyConfiguration and restart kube-proxy; masqueradeAll: true where client source IPs do not matter',
              commands: [
                'clusterCIDR: 10.244.0.0/16   # your pod CIDR, in the kube-proxy ConfigMap',
                'kubectl -n kube-system rollout restart daemonset kube-proxy',
              ],
            },
          ],
          references: [
            'kubernetes/kubernetes#24224',
            'kubernetes/kubernetes#36835',
            'kubernetes/kubernetes#44916',
            'kubernetes/kubernetes#91545',
            'kubernetes/kubernetes#124587',
          ],
          versions: [
            'clusterCIDR also gates the KUBE-FORWARD accept rules (FM-12) and the scope of the INVALID drop (FM-08)',
          ],
        }),
      ];
    }
    return [];
  },
};
