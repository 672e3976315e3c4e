/**
 * @module probe/render-probe
 * Probe results for people: per Service the one-line explanation, then the DNS answer,
 * the ClusterIP tally, each pod IP with same-node / cross-node, and the model's prediction.
 */
import type { ServiceProbe } from './run-probe.js';

export interface ProbeReport {
  from: { ips: string[]; pod?: string; node?: string };
  timeoutMs: number;
  concurrency: number;
  services: ServiceProbe[];
  skipped: string[];
}

function tally(rs: { outcome: string }[]): string {
  const c = new Map<string, number>();
  for (const r of rs) c.set(r.outcome, (c.get(r.outcome) ?? 0) + 1);
  return [...c].map(([k, v]) => `${v} ${k}`).join(', ');
}

export function renderProbe(r: ProbeReport): string {
  const out: string[] = [];
  const who = `${r.from.ips.join(', ') || '?'}${r.from.pod ? ` (${r.from.pod})` : ''}${r.from.node ? ` on ${r.from.node}` : ''}`;
  out.push(
    `podpath probe from ${who}: ${r.services.length} Service port(s), timeout ${r.timeoutMs} ms, ${r.concurrency} at a time`,
  );
  for (const s of r.services) {
    const mark = s.verdict === 'ok' ? '✓' : '✗';
    out.push('', `${mark} ${s.target.name}  ${s.target.clusterIP}:${s.target.port}`, `    ${s.summary}`);
    if (s.dns)
      out.push(
        `    dns   ${s.target.dnsName} -> ${s.dns.addresses.join(', ') || s.dns.outcome}${s.dns.errno && s.dns.outcome !== 'resolved' ? ` (${s.dns.errno})` : ''} (${s.dns.ms} ms)`,
      );
    if (s.clusterIP.length) out.push(`    vip   ${s.clusterIP.length} connects: ${tally(s.clusterIP)}`);
    for (const e of s.endpoints)
      out.push(
        `    pod   ${e.endpoint.ip}:${e.endpoint.port}${e.endpoint.pod ? ` ${e.endpoint.pod}` : ''} [${e.endpoint.placement}${e.endpoint.node ? ` ${e.endpoint.node}` : ''}] ${e.result.outcome} ${e.result.ms} ms`,
      );
    if (s.simulated)
      out.push(
        `    model ${s.simulated.map((m) => `${m.endpoint} ${m.outcome}${m.cause ? ` (${m.cause})` : ''}`).join('; ')}`,
      );
  }
  for (const k of r.skipped) out.push(`note: skipped ${k}`);
  return out.join('\n');
}
