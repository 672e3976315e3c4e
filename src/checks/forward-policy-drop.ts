/**
 * @module checks/forward-policy-drop
 * FM-12: the filter FORWARD policy is DROP (Docker >= 1.13 sets it) and no rule reachable
 * from FORWARD accepts new pod traffic (by pod subnet, pod interface, or unconditionally),
 * so pod traffic routed through the node (and bridged pod traffic once br_netfilter calls
 * the FORWARD hook) is dropped. kube-proxy's own pair (mark 0x4000 + ctstate
 * RELATED,ESTABLISHED) accepts Service traffic it marked and replies only: a warning.
 */
import type { Check, Evidence, Finding } from './types.js';
import { finding, needAny } from './util.js';
import { podFacingLinks, podNets } from './topology.js';
import { chainEvidence, iptablesCommand, ruleEvidence, rulesets } from './rules.js';
import { forwardAccepts } from './forward-accept.js';

export const check: Check = {
  id: 'forward-policy-drop',
  severity: 'critical',
  title: 'filter FORWARD policy is DROP and no rule accepts pod traffic',
  fm: ['FM-12'],
  missing: (node) => needAny(node, 'iptables'),
  run(node) {
    const nets = podNets(node);
    const links = podFacingLinks(node);
    if (nets.length === 0 && links.length === 0) return [];
    const out: Finding[] = [];
    for (const src of rulesets(node)) {
      const fwd = src.rs.tables.filter?.chains['FORWARD'];
      if (!fwd || fwd.policy !== 'DROP') continue;
      const acc = forwardAccepts(src.rs, nets, links);
      if (acc.some((a) => a.kind === 'pod' || a.kind === 'unconditional')) continue;
      const mark = acc.find((a) => a.kind === 'mark');
      const est = acc.find((a) => a.kind === 'established');
      const dropped =
        fwd.counters && fwd.counters.packets > 0
          ? `; the policy has dropped ${fwd.counters.packets} packets so far`
          : '';
      const netText = nets.map((n) => n.text).join(', ') || '(none known)';
      const ev: Evidence[] = [chainEvidence(src, 'filter', fwd, dropped)];
      ev.push({
        source: src.source,
        text: `no ACCEPT reachable from FORWARD matches the pod subnets ${netText} (-s/-d), a pod interface (-i/-o ${links
          .slice(0, 3)
          .map((l) => l.name)
          .join(', ')}) or all traffic`,
      });
      ev.push(
        mark
          ? ruleEvidence(src, mark, 'kube-proxy: accepts Service traffic it marked for masquerade')
          : {
              source: src.source,
              text: 'missing: kube-proxy mark rule `-m mark --mark 0x4000/0x4000 -j ACCEPT` (KUBE-FORWARD)',
            },
      );
      ev.push(
        est
          ? ruleEvidence(src, est, 'accepts replies of accepted flows')
          : { source: src.source, text: 'missing: `-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`' },
      );
      const both = Boolean(mark && est);
      const ipt = iptablesCommand(node, src);
      out.push(
        finding(check, node, {
          severity: both ? 'warning' : 'critical',
          title: both
            ? "filter FORWARD policy is DROP and only kube-proxy's rules accept forwarded traffic: new pod-to-pod traffic between nodes is dropped"
            : check.title,
          symptom: both
            ? 'Service traffic that kube-proxy marked and replies pass, but a new connection from a pod straight to a pod IP on another node (or NodePort traffic to a remote endpoint not marked for masquerade) is silently dropped.'
            : 'Pod traffic routed by this node (to other nodes, the internet, Services with remote endpoints; same-node pod traffic too once br_netfilter calls FORWARD) is silently dropped: connections time out.',
          evidence: ev,
          fix: [
            {
              kind: 'runtime',
              description: 'accept pod traffic in FORWARD (or, bluntly, set the policy to ACCEPT)',
              commands: nets.length
                ? nets.flatMap((n) => [
                    `sudo ${ipt} -I FORWARD -s ${n.text} -j ACCEPT`,
                    `sudo ${ipt} -I FORWARD -d ${n.text} -j ACCEPT`,
                  ])
                : [`sudo ${ipt} -P FORWARD ACCEPT`],
            },
            {
              kind: 'persistent',
              description:
                'let the owners write the rules: kube-proxy --cluster-cidr (KUBE-FORWARD accepts the cluster CIDR), the CNI (flannel FLANNEL-FWD, Calico cali-FORWARD); on Docker hosts put the ACCEPT rules in DOCKER-USER from a unit that runs after docker',
              commands: [
                'kube-proxy --cluster-cidr=<pod CIDR>   # clusterCIDR in KubeProxyConfiguration',
                `sudo ${ipt} -I DOCKER-USER -j ACCEPT   # Docker hosts`,
              ],
            },
          ],
          references: [
            'kubernetes/kubernetes#40182',
            'kubernetes/kubernetes#39823',
            'kubernetes/kubernetes#52569',
            'kubernetes/kubernetes#91545',
            'kubernetes/kubernetes#108718',
            'weaveworks/weave#2758',
            'moby/moby#28257',
          ],
          versions: [
            'Docker >= 1.13 sets FORWARD policy DROP',
            'kube-proxy >= 1.8/1.9 adds KUBE-FORWARD accept rules (cluster CIDR rules only when --cluster-cidr is set)',
          ],
        }),
      );
    }
    return out;
  },
};
