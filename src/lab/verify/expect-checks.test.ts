/**
 * The comparison of check findings with a scenario's `expectChecks` (pure, no lab), and the
 * scenario files' declarations: known ids, healthy scenarios expecting nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkMismatches, provenChecks } from './expect-checks.js';
import type { Finding } from '../../checks/types.js';
import { listScenarioNames, loadScenario } from '../scenario/load-scenario.js';
import { checkById } from '../../checks/index.js';

function f(id: string, severity: Finding['severity'], node = 'node1'): Finding {
  return {
    id,
    severity,
    node,
    title: id,
    evidence: [{ source: 'x', text: `${id} evidence` }],
    fix: [],
    references: [],
  };
}

test('checkMismatches: exact ids, severities when given, nothing extra', () => {
  assert.deepEqual(checkMismatches([{ id: 'a' }], [f('a', 'critical'), f('a', 'warning', 'node2')]), []);
  assert.deepEqual(checkMismatches([], []), []);
  assert.deepEqual(checkMismatches([{ id: 'a' }], []), ['expected a, check did not report it']);
  assert.deepEqual(checkMismatches([], [f('b', 'info')]), ['unexpected info b on node1: b evidence']);
  assert.deepEqual(checkMismatches([{ id: 'a', severity: 'info' }], [f('a', 'warning')]), [
    'a on node1 is warning, expected info',
  ]);
});

test('provenChecks: an explicit lower severity does not prove the check', () => {
  const sev = (id: string) => ({ a: 'warning', b: 'warning', c: 'critical' })[id];
  const p = provenChecks(
    [
      { expectChecks: [{ id: 'a' }, { id: 'b', severity: 'info' }] },
      { expectChecks: [{ id: 'c', severity: 'critical' }] },
    ],
    sev,
  );
  assert.deepEqual([...p].sort(), ['a', 'c']);
});

test('lab scenarios: expectChecks name known checks; healthy and a planted fault are both present', () => {
  const all = listScenarioNames().map((n) => loadScenario(n));
  for (const sc of all) for (const e of sc.expectChecks) assert.ok(checkById(e.id), `${sc.name}: ${e.id}`);
  assert.deepEqual(all.find((s) => s.name === 'healthy')!.expectChecks, []);
  assert.ok(
    all
      .find((s) => s.name === 'incident')!
      .expectChecks.some((e) => e.id === 'bridge-nf-call-iptables-disabled'),
  );
});
