/**
 * @module checks/dns-conntrack-race-exposed
 * FM-03: glibc sends A and AAAA from one UDP socket at once; both packets create unconfirmed
 * conntrack entries with the same tuple and the loser is dropped in __nf_conntrack_confirm.
 * Kernels before 4.19 ("resolve clash for matching conntracks") and 5.0 ("skip nat clash
 * resolution for same-origin entries") lose packets; NodeLocal DNSCache (NOTRACK) avoids it.
 */
import type { NodeModel } from '../model/node.js';
import type { Check, Evidence } from './types.js';
import { finding, needAll, sourceOf } from './util.js';
import { kernelBefore, kernelEvidenceText } from './kernel.js';
import { ctStat, ctStatEvidence } from './ct-stats.js';
import { allRules, rulesets } from './rules.js';

/** NodeLocal DNSCache: its link/address, or raw-table NOTRACK for DNS. */
function nodeLocalDns(node: NodeModel): string | undefined {
  if (node.host.links.some((l) => l.name === 'nodelocaldns')) return 'link nodelocaldns';
  if (node.host.addrs.some((a) => a.local === '169.254.20.10')) return 'address 169.254.20.10';
  for (const src of rulesets(node))
    for (const { rule } of allRules(src.rs, 'raw'))
      if (
        (rule.target?.t === 'NOTRACK' || (rule.target?.t === 'CT' && rule.target.notrack)) &&
        rule.matches.some((m) => (m.m === 'udp' || m.m === 'tcp') && m.dport?.value.from === 53)
      )
        return `raw NOTRACK for DNS (${src.source}:${rule.line})`;
  return undefined;
}

export const check: Check = {
  id: 'dns-conntrack-race-exposed',
  severity: 'warning',
  title: 'the kernel loses parallel DNS queries in the conntrack insertion race (5 s lookups)',
  fm: ['FM-03'],
  missing: (node) => needAll(node, 'uname'),
  run(node) {
    if (kernelBefore(node, '5.0') !== true) return [];
    if (nodeLocalDns(node)) return [];
    const ev: Evidence[] = [
      {
        source: sourceOf(node, 'uname'),
        line: 1,
        text: `${kernelEvidenceText(node)}: ${kernelBefore(node, '4.19') ? 'before 4.19 and 5.0, both clash fixes are missing' : 'before 5.0, the SNAT same-origin clash fix is missing'} (unless the distribution backported them)`,
      },
    ];
    const failed = ctStat(node, 'insert_failed');
    if (failed) ev.push(...ctStatEvidence(node, ['insert_failed', 'drop'], 2));
    ev.push({
      source: 'inference',
      text: 'no NodeLocal DNSCache on this node (no nodelocaldns link, no 169.254.20.10, no raw NOTRACK for port 53)',
    });
    const resolv = node.raw['resolv-conf'];
    if (resolv !== undefined && /options[^\n]*(single-request|use-vc)/.test(resolv))
      ev.push({
        source: sourceOf(node, 'resolv-conf'),
        text: 'the node resolv.conf has single-request(-reopen)/use-vc: pods with dnsPolicy Default are covered, ClusterFirst pods need their own dnsConfig',
      });
    return [
      finding(check, node, {
        severity: failed ? 'warning' : 'info',
        symptom:
          'Name lookups in pods intermittently take exactly 5 s (or 10 s); NodeJS reports EAI_AGAIN; worse under load and with several CoreDNS replicas.',
        evidence: ev,
        fix: [
          {
            kind: 'runtime',
            description: 'serialise or separate the queries in the affected pods',
            commands: [
              'dnsConfig: { options: [ { name: single-request-reopen } ] }   # pod spec (glibc; musl ignores it)',
            ],
          },
          {
            kind: 'persistent',
            description:
              'NodeLocal DNSCache (DNS skips conntrack), or a kernel >= 5.0 (better the newest LTS)',
            commands: [
              'kubectl apply -f https://k8s.io/examples/admin/dns/nodelocaldns.yaml   # after filling in its variables',
            ],
          },
        ],
        references: [
          'kubernetes/kubernetes#56903',
          'kubernetes/kubernetes#62628',
          'kubernetes/kubernetes#45976',
          'weaveworks/weave#3287',
          'https://www.weave.works/blog/racy-conntrack-and-dns-lookup-timeouts',
        ],
        versions: [
          'Linux 4.19: ed07d9a021df resolve clash for matching conntracks',
          'Linux 5.0: 4e35c1cb9460 skip nat clash resolution for same-origin entries',
          'Linux ~5.6 [unconfirmed]: 6a757c07e51f allow insertion of clashing entries (queries DNATed to different CoreDNS pods)',
        ],
      }),
    ];
  },
};
