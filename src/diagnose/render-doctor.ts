/**
 * @module diagnose/render-doctor
 * The doctor result for people: failing pairs grouped by cause with the chain of why, the
 * fix, then a client x Service matrix (`ok 2/2`, `FAIL 1/2`) and the node's other findings.
 */
import type { DoctorPair, DoctorResult } from './doctor.js';

function svcLabel(p: DoctorPair): string {
  return p.service.name
    ? `${p.service.name} (${p.service.ip}:${p.service.port})`
    : `${p.service.ip}:${p.service.port}`;
}

function endpointLabel(p: DoctorPair, node: string): string {
  const where = p.endpointNode
    ? p.endpointNode === node
      ? `${p.endpointNode}, this node`
      : p.endpointNode
    : 'node unknown';
  return `${p.endpoint}${p.endpointName ? ` ${p.endpointName}` : ''} [${where}]`;
}

export function renderDoctor(r: DoctorResult, opts: { maxPairs?: number } = {}): string {
  const max = opts.maxPairs ?? 8;
  const out: string[] = [];
  const failing = r.pairs.filter((p) => p.outcome !== 'connected' && p.outcome !== 'unknown');
  const flows = new Set(r.pairs.map((p) => `${p.client.ip}>${p.service.ip}:${p.service.port}`)).size;
  out.push(
    `podpath doctor on ${r.node}: ${r.clients.length} local pod(s) x ${r.services.length} Service port(s), ${flows} flow(s), ${r.pairs.length} client/endpoint pair(s)`,
  );
  if (!r.clients.length) out.push('  no pods on this node (nothing to trace from)');
  if (!r.services.length)
    out.push('  no Services found (no KUBE-SERVICES rules, no inventory: give --cluster or an API)');
  out.push(
    failing.length
      ? `✗ ${failing.length} of ${r.pairs.length} pairs fail`
      : r.unjudged.length
        ? `✓ no pair fails (${r.unjudged.length} not judged)`
        : `✓ every pair connects`,
  );
  if (r.unjudged.length) {
    const missing = [...new Set(r.unjudged.map((p) => p.endpointNode ?? '?'))].join(', ');
    out.push(
      `  ${r.unjudged.length} pair(s) not judged: the model has no snapshot of the backend's node (${missing}); collect it and pass --snapshot`,
    );
  }
  for (const g of r.groups) {
    out.push('');
    out.push(`✗ ${g.pairs.length} pair(s) ${g.outcome}${g.causeId ? ` (${g.causeId})` : ''}`);
    out.push(`  ${g.because.join(' -> ')}`);
    for (const p of g.pairs.slice(0, max))
      out.push(`    ${p.client.name ?? p.client.ip} -> ${svcLabel(p)} via ${endpointLabel(p, r.node)}`);
    if (g.pairs.length > max) out.push(`    ... and ${g.pairs.length - max} more (--json for all)`);
    if (g.checks.length) out.push(`  checks: ${g.checks.join(', ')}`);
    for (const f of g.fix.slice(0, 3)) out.push(`  fix: ${f}`);
  }
  if (r.pairs.length) {
    out.push('', 'matrix (connected/endpoints):');
    const services = [
      ...new Map(r.pairs.map((p) => [`${p.service.ip}:${p.service.port}`, p.service])).values(),
    ];
    for (const c of r.clients) {
      const cells = services.map((s) => {
        const ps = r.pairs.filter(
          (p) => p.client.ip === c.ip && p.service.ip === s.ip && p.service.port === s.port,
        );
        const ok = ps.filter((p) => p.outcome === 'connected').length;
        const unknown = ps.filter((p) => p.outcome === 'unknown').length;
        const verdict = ok + unknown === ps.length ? 'ok' : 'FAIL';
        return `${s.name ?? `${s.ip}:${s.port}`} ${verdict} ${ok}/${ps.length}${unknown ? ` (${unknown} not judged)` : ''}`;
      });
      out.push(`  ${c.name ?? c.ip}: ${cells.join(', ')}`);
    }
  }
  const other = r.findings.filter((f) => !r.groups.some((g) => g.checks.includes(f.id)));
  if (other.length) {
    out.push('', 'other findings on the node (podpath check for evidence and fixes):');
    for (const f of other.slice(0, 10))
      out.push(`  ${f.severity.toUpperCase()} ${f.id} on ${f.node}: ${f.title}`);
  }
  for (const e of r.errors.slice(0, 5)) out.push(`note: ${e.client} -> ${e.service}: not traced: ${e.error}`);
  return out.join('\n');
}
