/**
 * The differential proof (ARCHITECTURE §5.2): for every lab scenario and every flow, the
 * real kernel's outcome (real connect()s in namespaces) must equal `podpath trace` on the
 * snapshots `podpath collect` took of the same nodes. In the same build, `podpath check` on
 * the snapshots taken after the probes must name exactly the scenario's `expectChecks` (the
 * planted fault; nothing on a healthy one). Root only; skipped visibly otherwise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listScenarioNames, loadScenario } from '../scenario/load-scenario.js';
import { verifyScenario } from './verify-scenario.js';
import { checkMismatches } from './expect-checks.js';
import { labAvailability } from '../build/host.js';
import { randomTestPrefix } from '../build/names.js';

const why = labAvailability();
let total = 0;
let agree = 0;
let checked = 0;

for (const name of listScenarioNames()) {
  test(`differential: ${name}: kernel and podpath agree on every flow`, async (t) => {
    if (why) return t.skip(`needs root: lab tests skipped (${why})`);
    const sc = loadScenario(name);
    const r = await verifyScenario(sc, { prefix: randomTestPrefix() });
    const found = [...new Set(r.checks.findings.map((f) => `${f.id}:${f.severity}`))];
    t.diagnostic(`check: ${found.join(', ') || 'no findings'}`);
    checked++;
    assert.deepEqual(
      checkMismatches(sc.expectChecks, r.checks.findings),
      [],
      'check names the planted fault(s)',
    );
    if (sc.expectChecks.length === 0) assert.deepEqual(r.checks.findings, [], 'nothing on a healthy lab');
    const bad = r.rows.filter((row) => row.verdict === 'DISAGREE');
    total += r.rows.filter((row) => row.verdict !== 'kernel-only').length;
    agree += r.rows.filter((row) => row.verdict === 'agree').length;
    assert.deepEqual(
      bad.map(
        (b) => `${b.flow}: kernel ${b.kernel} / podpath ${b.podpath}${b.detail ? ` (${b.detail})` : ''}`,
      ),
      [],
    );
    assert.ok(r.rows.length > 0);
  });
}

test('differential: at least 12 scenarios and 80 comparable pairs', (t) => {
  if (why) return t.skip('needs root: lab tests skipped');
  assert.ok(listScenarioNames().length >= 12);
  assert.ok(total >= 80, `only ${total} comparable pairs`);
  assert.equal(agree, total);
  assert.equal(checked, listScenarioNames().length, 'check ran on every scenario');
});
