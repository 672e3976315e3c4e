/**
 * @module checks/ipvs-conn-reuse-delay
 * FM-06: IPVS keys its connections by client ip:port. With conn_reuse_mode = 1 on kernels
 * before 5.9, a SYN that reuses a port still in IPVS's table while conntrack holds the old
 * entry is dropped ("ipvs: drop first packet to redirect conntrack"): 1 s connect delays
 * under churn. With conn_reuse_mode = 0 the old real server is reused even when it is gone.
 */
import type { Check } from './types.js';
import { finding, needAll, sourceOf, sysctlEvidence, sysctlValue } from './util.js';
import { kernelBefore, kernelEvidenceText } from './kernel.js';
import { ipvsInUse } from './services.js';

export const check: Check = {
  id: 'ipvs-conn-reuse-delay',
  severity: 'warning',
  title:
    'IPVS connection reuse on a kernel before 5.9: 1 s connect delays (mode 1) or traffic to removed pods (mode 0)',
  fm: ['FM-06'],
  missing: (node) => needAll(node, 'sysctl'),
  run(node) {
    const mode = sysctlValue(node, 'net.ipv4.vs.conn_reuse_mode');
    const u = ipvsInUse(node);
    if (mode === undefined || !u.used) return [];
    const old = kernelBefore(node, '5.9');
    const refs = [
      'kubernetes/kubernetes#70747',
      'kubernetes/kubernetes#71114',
      'kubernetes/kubernetes#81775',
      'kubernetes/kubernetes#93297',
      'kubernetes/kubernetes#102122',
      'cloudnativelabs/kube-router#544',
    ];
    const versions = [
      'Linux 5.9 fixes connection reuse (Anastasov) and expires no-destination connections (Kim)',
      'kube-proxy forces conn_reuse_mode = 0 only on kernels < 5.9 since PR #102122 (~1.22)',
    ];
    const kev = { source: sourceOf(node, 'uname'), text: kernelEvidenceText(node) };
    if (mode === '1' && old === true)
      return [
        finding(check, node, {
          title:
            'IPVS conn_reuse_mode = 1 on a kernel before 5.9: the first SYN of a reused client port is dropped (1 s delays)',
          symptom:
            'Under connection churn from one client (non-keepalive HTTP, load tests) a fraction of connections to Services take ~1 s; throughput collapses.',
          evidence: [
            sysctlEvidence(node, 'net.ipv4.vs.conn_reuse_mode'),
            kev,
            { source: 'inference', text: u.why },
          ],
          fix: [
            {
              kind: 'runtime',
              description:
                'the pre-5.9 trade-off kube-proxy makes (but see the mode 0 caveat: stale real servers during rollouts)',
              commands: ['sudo sysctl -w net.ipv4.vs.conn_reuse_mode=0 net.ipv4.vs.expire_nodest_conn=1'],
            },
            {
              kind: 'persistent',
              description:
                'a kernel >= 5.9 (then mode 1 is right), or iptables/nftables proxy mode, or keep-alive clients',
              commands: ['uname -r'],
            },
          ],
          references: refs,
          versions,
        }),
      ];
    if (mode === '0')
      return [
        finding(check, node, {
          severity: 'info',
          title:
            'IPVS conn_reuse_mode = 0: new connections reusing a client port go to the old real server, even a removed one',
          symptom:
            'During rolling updates some requests keep going to a deleted pod ("no route to host" / timeouts) and load stays unbalanced after scaling up.',
          evidence: [
            sysctlEvidence(node, 'net.ipv4.vs.conn_reuse_mode'),
            kev,
            { source: 'inference', text: u.why },
          ],
          fix: [
            {
              kind: 'runtime',
              description:
                old === false
                  ? 'on this kernel (>= 5.9) mode 1 is safe'
                  : 'make removed servers expire at least',
              commands: [
                old === false
                  ? 'sudo sysctl -w net.ipv4.vs.conn_reuse_mode=1'
                  : 'sudo sysctl -w net.ipv4.vs.expire_nodest_conn=1',
              ],
            },
            {
              kind: 'persistent',
              description: 'a kernel >= 5.9 and kube-proxy >= 1.22, which leaves mode 1 alone',
              commands: [
                "echo 'net.ipv4.vs.conn_reuse_mode = 1' | sudo tee /etc/sysctl.d/99-ipvs.conf   # only on >= 5.9",
              ],
            },
          ],
          references: refs,
          versions,
        }),
      ];
    return [];
  },
};
