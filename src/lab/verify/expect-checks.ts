/**
 * @module lab/verify/expect-checks
 * Compares `podpath check` findings on a lab's snapshots with the scenario's `expectChecks`:
 * every expected id found (at the expected severity when one is given), no other id, and on
 * a scenario expecting nothing, nothing at all. Returns the mismatches as sentences.
 */
import type { Finding } from '../../checks/types.js';
import type { ExpectedCheck } from '../scenario/types.js';

export function checkMismatches(expected: ExpectedCheck[], findings: Finding[]): string[] {
  const out: string[] = [];
  const want = new Map(expected.map((e) => [e.id, e]));
  for (const e of expected) {
    const got = findings.filter((f) => f.id === e.id);
    if (got.length === 0) out.push(`expected ${e.id}, check did not report it`);
    for (const f of got)
      if (e.severity && f.severity !== e.severity)
        out.push(`${e.id} on ${f.node} is ${f.severity}, expected ${e.severity}`);
  }
  for (const f of findings)
    if (!want.has(f.id))
      out.push(`unexpected ${f.severity} ${f.id} on ${f.node}: ${f.evidence[0]?.text ?? f.title}`);
  return out;
}

/** Check ids some scenario proves: listed without a severity, or at the check's own severity. */
export function provenChecks(
  scenarios: { expectChecks: ExpectedCheck[] }[],
  severityOf: (id: string) => string | undefined,
): Set<string> {
  const out = new Set<string>();
  for (const sc of scenarios)
    for (const e of sc.expectChecks) if (!e.severity || e.severity === severityOf(e.id)) out.add(e.id);
  return out;
}
