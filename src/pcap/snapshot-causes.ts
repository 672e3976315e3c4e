/**
 * @module pcap/snapshot-causes
 * With node snapshots at hand, a capture finding can name its cause: nat-reply-bypass is
 * explained by `net.bridge.bridge-nf-call-iptables = 0` (or br_netfilter not loaded) on the
 * node that owns the client's address — the seed incident, end to end.
 */
import type { NodeSnapshot } from '../snapshot/types.js';
import type { PcapFinding } from './types.js';
import { namesFromSnapshot } from './names.js';

export interface SnapshotCause {
  node: string;
  /** evidence source, e.g. `node1:sysctl` */
  source: string;
  text: string;
}

/** What on this node makes bridged replies skip conntrack (bridge-nf-call-iptables, br_netfilter). */
export function bridgeNetfilterCauses(s: NodeSnapshot, v6 = false): SnapshotCause[] {
  const node = s.metadata.node;
  const key = v6 ? 'net.bridge.bridge-nf-call-ip6tables' : 'net.bridge.bridge-nf-call-iptables';
  const sysctl = s.sources['sysctl'];
  const out: SnapshotCause[] = [];
  if (sysctl && sysctl.exitCode === 0) {
    const lines = sysctl.stdout.split('\n');
    const i = lines.findIndex((l) => l.trim().startsWith(`${key} `) || l.trim().startsWith(`${key}=`));
    if (i >= 0 && /=\s*0\s*$/.test(lines[i]!))
      out.push({ node, source: `${node}:sysctl:${i + 1}`, text: lines[i]!.trim() });
    if (i < 0 && !sysctl.stdout.includes('net.bridge.')) {
      const mods = s.sources['modules'];
      if (mods && mods.exitCode === 0 && !/^br_netfilter\s/m.test(mods.stdout)) {
        out.push({
          node,
          source: `${node}:modules`,
          text: 'br_netfilter is not loaded (no net.bridge.* sysctls)',
        });
      }
    }
  }
  return out;
}

/** Adds the snapshot's cause to each nat-reply-bypass finding whose client is on that node. */
export function explainWithSnapshots(findings: PcapFinding[], snapshots: NodeSnapshot[]): void {
  for (const f of findings) {
    if (f.id !== 'nat-reply-bypass') continue;
    const client = f.packets[0]?.src;
    if (!client) continue;
    const v6 = client.includes(':');
    for (const s of snapshots) {
      const local = namesFromSnapshot(s).has(client);
      if (!local) continue;
      const causes = bridgeNetfilterCauses(s, v6);
      for (const c of causes) f.evidence.push({ source: c.source, text: `cause on ${c.node}: ${c.text}` });
      if (causes.length && !f.node) f.node = s.metadata.node;
    }
  }
}
