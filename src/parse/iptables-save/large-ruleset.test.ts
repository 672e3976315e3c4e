/**
 * A generated kube-proxy-shaped rule set of 20k rules parses completely (the benchmark
 * parses a 230k-line one; here only the result is checked, never the time).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubeProxyRuleset } from './kube-proxy-fixture.js';
import { parseIptablesSave } from './index.js';

test('20k-rule kube-proxy rule set: every rule, per chain, no diagnostics', () => {
  const fx = kubeProxyRuleset(1000, 6);
  assert.equal(fx.rules, 20008);
  const { value, diagnostics } = parseIptablesSave(fx.text);
  assert.deepEqual(diagnostics, []);
  const nat = value.tables.nat;
  assert.ok(nat);
  let n = 0;
  for (const c of Object.values(nat.chains)) {
    n += c.rules.length;
    assert.equal(c.rules.length, fx.rulesPerChain.get(c.name) ?? 0, c.name);
  }
  assert.equal(n, fx.rules);
  assert.equal(Object.keys(nat.chains).length, 4 + 4 + 1000 + 6000);
  // spot check the last service: six endpoints, probabilities 1/6 ... 1/2, then none
  const svc = Object.values(nat.chains)
    .filter((c) => c.name.startsWith('KUBE-SVC-'))
    .at(-1);
  const probs = svc?.rules.slice(1).map((r) => {
    const s = r.matches.find((m) => m.m === 'statistic');
    return s && s.m === 'statistic' && s.mode === 'random' ? Number(s.probability.toFixed(6)) : null;
  });
  assert.deepEqual(probs, [0.166667, 0.2, 0.25, 0.333333, 0.5, null]);
  const sep = Object.values(nat.chains).at(-1);
  assert.equal(sep?.rules[1]?.target?.t, 'DNAT');
});
