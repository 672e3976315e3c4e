/**
 * @module checks/route-localnet-exposed
 * FM-19 / CVE-2020-8558: with route_localnet = 1 (IN_DEV_ROUTE_LOCALNET is all OR <if>),
 * ip_route_input_slow accepts 127.0.0.0/8 destinations arriving on real interfaces, so
 * services bound to 127.0.0.1 on the node are reachable from neighbours and pods unless a
 * rule drops them (kube-proxy's "block incoming localnet connections").
 */
import type { Check, Evidence } from './types.js';
import { finding, needAll, sysctlEvidence } from './util.js';
import { allRules, rulesets } from './rules.js';

export const check: Check = {
  id: 'route-localnet-exposed',
  severity: 'warning',
  title: 'route_localnet = 1 without a rule dropping outside traffic to 127.0.0.0/8 (CVE-2020-8558)',
  fm: ['FM-19'],
  missing: (node) => needAll(node, 'sysctl', 'iptables'),
  run(node) {
    const on = [...node.host.sysctl.entries()]
      .filter(
        ([k, v]) =>
          /^net\.ipv4\.conf\..+\.route_localnet$/.test(k) &&
          !k.endsWith('.default.route_localnet') &&
          v.value === '1',
      )
      .map(([k]) => k);
    if (on.length === 0) return [];
    for (const src of rulesets(node))
      for (const at of allRules(src.rs, 'filter')) {
        const r = at.rule;
        if (
          r.target?.t === 'DROP' &&
          r.dst &&
          !r.dst.neg &&
          r.dst.value.addr === '127.0.0.0' &&
          r.dst.value.len === 8 &&
          r.src?.neg &&
          r.src.value.addr === '127.0.0.0'
        )
          return [];
      }
    const ev: Evidence[] = on.map((k) => sysctlEvidence(node, k));
    ev.push({
      source: rulesets(node)[0]?.source ?? 'iptables-save',
      text: 'no filter rule `! -s 127.0.0.0/8 -d 127.0.0.0/8 ... -j DROP` ("block incoming localnet connections")',
    });
    return [
      finding(check, node, {
        symptom:
          'Anything listening on 127.0.0.1 on the node (kubelet read-only ports, metrics, databases bound to localhost) can be reached by pods and by hosts on the same L2 segment.',
        evidence: ev,
        fix: [
          {
            kind: 'runtime',
            description: 'drop outside traffic to the loopback range (what kube-proxy >= 1.18.4 installs)',
            commands: [
              "sudo iptables -I INPUT ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -m comment --comment 'block incoming localnet connections' -j DROP",
            ],
          },
          {
            kind: 'persistent',
            description:
              'upgrade kube-proxy (fixed in 1.18.4/1.17.7/1.16.11), or turn route_localnet off if nobody needs localhost NodePorts',
            commands: [
              ...on.map((k) => `sudo sysctl -w ${k}=0`),
              'kube-proxy --iptables-localhost-nodeports=false',
            ],
          },
        ],
        references: [
          'kubernetes/kubernetes#92315',
          'kubernetes/kubernetes#90259',
          'kubernetes/kubernetes#92938',
          'golang/vulndb#1280',
        ],
        versions: ['CVE-2020-8558 fixed in kube-proxy 1.18.4, 1.17.7, 1.16.11'],
      }),
    ];
  },
};
