/**
 * @module checks/neighbour-table-small
 * FM-21: neigh_alloc refuses new entries above gc_thresh3 (and forces GC above gc_thresh2),
 * so packets to unresolved neighbours are dropped ("neighbour: arp_cache: neighbor table
 * overflow!"). Compares the entries in `ip neigh` with the thresholds (defaults 512 / 1024).
 */
import type { Check, Evidence } from './types.js';
import { finding, needAll, sourceOf, sysctlEvidence, sysctlInt } from './util.js';

const DEFAULTS = { gc_thresh2: 512, gc_thresh3: 1024 };

export const check: Check = {
  id: 'neighbour-table-small',
  severity: 'warning',
  title: 'the neighbour (ARP/ND) table is near its gc_thresh limits',
  fm: ['FM-21'],
  missing: (node) => needAll(node, 'ip-neigh'),
  run(node) {
    const out = [];
    for (const fam of ['ipv4', 'ipv6'] as const) {
      const n = node.host.neighs.filter((x) =>
        fam === 'ipv4' ? !x.dst.includes(':') : x.dst.includes(':'),
      ).length;
      const key = (k: string) => `net.${fam}.neigh.default.${k}`;
      const t2 = sysctlInt(node, key('gc_thresh2')) ?? DEFAULTS.gc_thresh2;
      const t3 = sysctlInt(node, key('gc_thresh3')) ?? DEFAULTS.gc_thresh3;
      if (n < t2 && n < 0.9 * t3) continue;
      const sev = n >= 0.9 * t3 ? 'critical' : 'warning';
      const ev: Evidence[] = [
        {
          source: sourceOf(node, 'ip-neigh'),
          text: `${n} ${fam === 'ipv4' ? 'ARP' : 'ND'} entries in the neighbour table`,
        },
        ...['gc_thresh2', 'gc_thresh3'].map((k) =>
          node.host.sysctl.has(key(k))
            ? sysctlEvidence(node, key(k))
            : {
                source: sourceOf(node, 'sysctl'),
                text: `${key(k)} absent: kernel default ${DEFAULTS[k as keyof typeof DEFAULTS]}`,
              },
        ),
      ];
      out.push(
        finding(check, node, {
          severity: sev,
          title: `${n} ${fam} neighbour entries: ${n >= t3 ? 'at' : 'near'} gc_thresh3 = ${t3} (gc_thresh2 = ${t2})`,
          symptom:
            'At scale (many nodes on one L2, many pods with routed CNIs) some peers become unreachable at random and new connections fail; dmesg: "neighbour: arp_cache: neighbor table overflow!", `ip neigh add` fails with "No buffer space available".',
          evidence: ev,
          fix: [
            {
              kind: 'runtime',
              description: 'raise the thresholds well above the number of neighbours',
              commands: [
                `sudo sysctl -w ${key('gc_thresh1')}=${Math.max(1024, n)} ${key('gc_thresh2')}=${Math.max(4096, n * 4)} ${key('gc_thresh3')}=${Math.max(8192, n * 8)}`,
              ],
            },
            {
              kind: 'persistent',
              description: 'keep them',
              commands: [
                `printf '${key('gc_thresh1')} = ${Math.max(1024, n)}\\n${key('gc_thresh2')} = ${Math.max(4096, n * 4)}\\n${key('gc_thresh3')} = ${Math.max(8192, n * 8)}\\n' | sudo tee /etc/sysctl.d/99-neigh.conf`,
                'sudo sysctl --system',
              ],
            },
          ],
          references: [
            'kubernetes/kops#4533',
            'kubernetes-sigs/image-builder#333',
            'e2b-dev/infra#3508',
            'https://openai.com/research/scaling-kubernetes-to-2500-nodes',
          ],
          versions: [
            'the table limit is global (shared by all namespaces); neigh/default exists only in the initial namespace',
          ],
        }),
      );
    }
    return out;
  },
};
