/**
 * @module report/testing/hostile
 * The incident example with hostile strings where a node or the API puts names: pod names
 * and namespaces (`<script>`, quotes, an RTL override, 5,000 characters), a pod netns name
 * and the Service name in kube-proxy's rule comments. Written as snapshot files to a folder.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { incidentFiles } from '../incident-report.js';

export const HOSTILE = {
  script: '<script>window.__pwned=1</script>',
  img: '"><img src=x onerror="window.__pwned=2">',
  rtl: 'client\u202Egnp.exe\u200F',
  long: `long-${'a'.repeat(5000)}`,
  svc: `<svg/onload=window.__pwned=3>'&amp;`,
  netns: `pplab-"'><b>x</b>`,
};

export function writeHostileIncident(dir: string): string[] {
  const out: string[] = [];
  for (const f of incidentFiles()) {
    const s = JSON.parse(readFileSync(f, 'utf8')) as {
      metadata: { node: string };
      netns?: { name: string; pod?: { namespace: string; name: string } }[];
      sources: Record<string, { stdout?: string }>;
    };
    for (const ns of s.netns ?? []) {
      if (!ns.pod) continue;
      if (ns.pod.name === 'client') {
        ns.pod = { namespace: HOSTILE.script, name: HOSTILE.rtl };
      } else if (ns.pod.name === 'frontend-a') {
        ns.pod = { namespace: HOSTILE.img, name: HOSTILE.long };
        ns.name = HOSTILE.netns;
      }
    }
    for (const id of ['iptables-legacy-save', 'iptables-nft-save']) {
      const src = s.sources[id];
      if (src?.stdout)
        src.stdout = src.stdout.replaceAll(
          'spring-prod/panorama-v2-frontend-service',
          `spring-prod/${HOSTILE.svc}`,
        );
    }
    const p = join(dir, `${s.metadata.node}.json`);
    writeFileSync(p, JSON.stringify(s));
    out.push(p);
  }
  return out;
}
