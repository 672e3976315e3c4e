/**
 * @module lab/probe/dnat-counters
 * Packet counters of kube-proxy's DNAT rules (`iptables-save -c -t nat`, read-only), per
 * KUBE-SEP chain. A packet dropped before `nf_confirm` (FORWARD DROP, ip_forward=0,
 * hairpin refused) leaves no conntrack entry, but its trip through the nat table is
 * counted: the counter delta over a flow tells which endpoints its attempts were DNATed to.
 */
import { runCommand } from '../../collect/run-command.js';
import type { IptablesBackend } from '../scenario/types.js';

/** `[pkts:bytes] -A KUBE-SEP-X ... -j DNAT ...` -> chain -> pkts */
export function parseDnatCounters(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^\[(\d+):\d+\] -A (KUBE-SEP-[A-Z0-9]+) .*-j DNAT /.exec(line);
    if (m) out.set(m[2]!, (out.get(m[2]!) ?? 0) + Number(m[1]));
  }
  return out;
}

export async function readDnatCounters(
  netns: string,
  backend: IptablesBackend,
): Promise<Map<string, number> | undefined> {
  const tool = backend === 'nft' ? 'iptables-nft-save' : 'iptables-legacy-save';
  const r = await runCommand('ip', ['netns', 'exec', netns, tool, '-c', '-t', 'nat'], { timeoutMs: 10_000 });
  return r.exitCode === 0 ? parseDnatCounters(r.stdout) : undefined;
}

export function counterDelta(
  before: Map<string, number>,
  after: Map<string, number>,
  chains: Record<string, string>,
): Map<string, number> {
  const d = new Map<string, number>();
  for (const [chain, endpoint] of Object.entries(chains)) {
    const n = (after.get(chain) ?? 0) - (before.get(chain) ?? 0);
    if (n > 0) d.set(endpoint, n);
  }
  return d;
}
