/**
 * The renderers on the bundled incident (examples/incident/node1.json + node2.json) through
 * the real catalog: SARIF rules = ALL_CHECKS, the FM-01 finding located in node1.json,
 * Markdown naming the sysctl, the catalog table listing every check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRepoRoot } from '../snapshot/repo-root.js';
import { parseSnapshotJson } from '../snapshot/load.js';
import { buildCluster } from '../model/build.js';
import { ALL_CHECKS, runChecks } from '../checks/index.js';
import { buildSarif } from './sarif.js';
import type { Finding } from '../checks/types.js';
import { renderCatalogTable, renderMarkdown } from './markdown.js';
import { renderFindingsJson } from './findings-json.js';
import { catalogTable, LAB_LIMITS, replaceCatalog } from './catalog-table.js';

const root = findRepoRoot(import.meta.url);
const load = (n: string) => {
  const file = join(root, 'examples', 'incident', `${n}.json`);
  return parseSnapshotJson(readFileSync(file, 'utf8'), file);
};
const cluster = buildCluster([load('node1'), load('node2')]);
const { findings, skipped } = runChecks(cluster);

test('incident: SARIF has the catalog as rules and the FM-01 result in node1.json', () => {
  const run = buildSarif(findings, ALL_CHECKS).runs[0]!;
  assert.equal(run.tool.driver.rules.length, ALL_CHECKS.length);
  const r = run.results.find((x) => x.ruleId === 'bridge-nf-call-iptables-disabled');
  assert.ok(r, 'FM-01 finding present');
  assert.equal(r.level, 'error');
  assert.equal(run.tool.driver.rules[r.ruleIndex!]!.id, 'bridge-nf-call-iptables-disabled');
  assert.match(
    r.locations![0]!.physicalLocation!.artifactLocation.uri,
    /^file:\/\/.*examples\/incident\/node1\.json$/,
  );
  assert.match(r.message.text, /net\.bridge\.bridge-nf-call-iptables = 0/);
  for (const x of run.results) assert.ok(['error', 'warning', 'note'].includes(x.level));
});

test('incident: Markdown and JSON carry the finding and its evidence', () => {
  const md = renderMarkdown(findings);
  assert.match(md, /## CRITICAL: bridge-nf-call-iptables-disabled on node1/);
  assert.match(md, /`net\.bridge\.bridge-nf-call-iptables = 0` — .*node1\.json#sources\.sysctl:3/);
  const doc = JSON.parse(renderFindingsJson(findings, { skipped })) as { findings: Finding[] };
  const f = doc.findings.find((x) => x.id === 'bridge-nf-call-iptables-disabled');
  assert.equal(f?.node, 'node1');
  assert.deepEqual(f?.evidence[0], {
    source: cluster.nodes[0]!.sourceFiles['sysctl'],
    line: 3,
    text: 'net.bridge.bridge-nf-call-iptables = 0',
  });
  assert.equal(
    doc.findings.some((x) => x.id === 'bridge-nf-call-iptables-disabled' && x.node === 'node2'),
    false,
  );
});

test('catalogTable lists every check of ALL_CHECKS once', () => {
  const t = catalogTable();
  for (const c of ALL_CHECKS)
    assert.equal(t.split('\n').filter((l) => l.startsWith(`| \`${c.id}\` |`)).length, 1, c.id);
  assert.equal(t.trimEnd().split('\n').length, ALL_CHECKS.length + 2);
});

test('README: the check catalog table is the generated one (node scripts/update-readme-catalog.mjs)', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const next = replaceCatalog(readme);
  assert.ok(next !== undefined, 'README.md has the check-catalog markers');
  assert.equal(
    readme,
    next,
    'README catalog is stale: run `npx tsc -p . && node scripts/update-readme-catalog.mjs`',
  );
});

test('catalogTable: "proven in lab" from scenario expectChecks, reasons for what the kernel cannot show', () => {
  const rows = catalogTable().split('\n');
  assert.match(rows[0]!, /\| proven in lab \|$/);
  const row = (id: string) => rows.find((l) => l.startsWith(`| \`${id}\` |`))!;
  assert.match(row('bridge-nf-call-iptables-disabled'), /\| y \|$/);
  assert.match(row('kube-masquerade-missing'), /\| y \|$/);
  assert.match(row('conntrack-table-near-full'), /\| n: nf_conntrack_max is read-only/);
  assert.match(row('iptables-backends-mixed'), /\| y \|$/); // mixed-legacy-drop-nft-proxy
  assert.match(row('ip-forward-ipv6-disabled'), /\| n \|$/);
  for (const id of Object.keys(LAB_LIMITS))
    assert.ok(
      ALL_CHECKS.some((c) => c.id === id),
      id,
    );
  const md = renderCatalogTable(ALL_CHECKS.slice(0, 2), { proven: new Set([ALL_CHECKS[1]!.id]) });
  assert.deepEqual(
    md
      .trimEnd()
      .split('\n')
      .map((l) => l.slice(l.lastIndexOf('|', l.length - 2))),
    ['| proven in lab |', '|---|', '| n |', '| y |'],
  );
});
