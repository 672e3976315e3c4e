/**
 * @module checks/masquerade-not-random-fully
 * FM-05: MASQUERADE/SNAT without --random-fully picks source ports in nf_nat_l4proto_unique_tuple
 * by a walk that two CPUs can do at once for flows of different pods to one destination; the
 * second loses at confirm (insert_failed) and its SYN is dropped: ~1 s connect delays.
 */
import type { Check, Evidence } from './types.js';
import { finding, needAny, sourceOf } from './util.js';
import { allRules, iptablesCommand, ruleText, rulesets } from './rules.js';
import { ctStat } from './ct-stats.js';

export const check: Check = {
  id: 'masquerade-not-random-fully',
  severity: 'info',
  title: 'MASQUERADE/SNAT rules without --random-fully: SNAT port collisions under concurrency',
  fm: ['FM-05'],
  missing: (node) => needAny(node, 'iptables'),
  run(node) {
    const ev: Evidence[] = [];
    let cmd = 'iptables';
    for (const src of rulesets(node))
      for (const { chain, rule } of allRules(src.rs, 'nat')) {
        const t = rule.target;
        if (
          (t?.t === 'MASQUERADE' || t?.t === 'SNAT') &&
          !t.randomFully &&
          !(rule.outIface?.value === 'lo' && !rule.outIface.neg)
        ) {
          ev.push({ source: src.source, line: rule.line, text: ruleText(chain, rule) });
          cmd = iptablesCommand(node, src);
        }
      }
    if (ev.length === 0) return [];
    const failed = ctStat(node, 'insert_failed') ?? 0;
    return [
      finding(check, node, {
        severity: failed > 0 ? 'warning' : 'info',
        title: `${ev.length} MASQUERADE/SNAT rule(s) without --random-fully${failed > 0 ? ` and conntrack insert_failed = ${failed}` : ''}`,
        symptom:
          'Connections from pods to one busy external destination (NAT gateway, database, API) sometimes take ~1 s (or 3 s) to connect: the first SYN was dropped after a SNAT source-port collision.',
        evidence: [
          ...ev.slice(0, 8),
          ...(failed > 0
            ? [
                {
                  source: sourceOf(node, 'conntrack-stats'),
                  text: `insert_failed = ${failed} (sum over CPUs)`,
                },
              ]
            : []),
        ],
        fix: [
          {
            kind: 'runtime',
            description:
              'rewrite the rule with --random-fully (example for the first one; the owner rewrites it on its next sync, so fix the owner)',
            commands: [`sudo ${cmd}-save -t nat | grep -n 'MASQUERADE\\|SNAT'`],
          },
          {
            kind: 'persistent',
            description:
              'let the owner emit --random-fully: kube-proxy >= 1.16 does when iptables supports it; flannel/ip-masq-agent/AWS VPC CNI (AWS_VPC_K8S_CNI_RANDOMIZESNAT=prng) have their own switches',
            commands: ['iptables -V   # needs iptables >= 1.6.2'],
          },
        ],
        references: [
          'kubernetes/kubernetes#76699',
          'kubernetes/kubernetes#78547',
          'weaveworks/weave#3287',
          'aws/amazon-vpc-cni-k8s#1048',
          'kubernetes-sigs/ip-masq-agent#51',
          'https://tech.xing.com/a-reason-for-unexplained-connection-timeouts-on-kubernetes-docker-abd041cf7e02',
        ],
        versions: [
          'kube-proxy >= 1.16 [unconfirmed release] adds --random-fully (PR #78547)',
          'with VXLAN and kube-proxy before 1.16.13/1.17.9/1.18.6, --random-fully also triggers the 63 s checksum bug (see vxlan-double-nat-checksum)',
        ],
      }),
    ];
  },
};
