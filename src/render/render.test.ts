/**
 * Tests of the renderers: text (colour on/off), JSON (§4 shape), SARIF 2.1.0 (structural
 * validation of the required fields), Markdown and the catalog table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Check, Finding } from '../checks/types.js';
import { renderFindingsText } from './findings-text.js';
import { renderFindingsJson } from './findings-json.js';
import { buildSarif, renderSarif, type SarifLog, type SarifResult } from './sarif.js';
import { renderCatalogTable, renderMarkdown } from './markdown.js';

const ESC = String.fromCharCode(27) + '[';
const noAnsi = (s: string) => assert.equal(s.includes(ESC), false, 'ANSI escape in output');

const CHECKS: Check[] = [
  {
    id: 'bridge-nf-call-iptables-disabled',
    severity: 'critical',
    title: 'bridged | traffic skips iptables',
    fm: ['FM-01'],
    run: () => [],
  },
  {
    id: 'masquerade-not-random-fully',
    severity: 'warning',
    title: 'MASQUERADE without --random-fully',
    fm: ['FM-05'],
    run: () => [],
  },
  {
    id: 'resolv-conf-ndots',
    severity: 'info',
    title: 'ndots fan-out',
    fm: ['FM-26', 'FM-03'],
    run: () => [],
  },
];

const FINDINGS: Finding[] = [
  {
    id: 'bridge-nf-call-iptables-disabled',
    severity: 'critical',
    node: 'node1',
    title: 'bridged traffic skips iptables',
    symptom: 'same-node Service calls time out',
    evidence: [
      { source: '/snap/node1.json#sources.sysctl', line: 3, text: 'net.bridge.bridge-nf-call-iptables = 0' },
      { source: 'snap-dir/sysctl.txt', line: 412, text: 'net.bridge.bridge-nf-call-iptables = 0' },
    ],
    fix: [
      {
        kind: 'runtime',
        description: 'turn it on',
        commands: ['sudo sysctl -w net.bridge.bridge-nf-call-iptables=1'],
      },
      {
        kind: 'persistent',
        description: 'keep it',
        commands: ["echo 'net.bridge.bridge-nf-call-iptables = 1' | sudo tee /etc/sysctl.d/99-k8s.conf"],
      },
    ],
    references: ['kubernetes/kubernetes#21613'],
  },
  {
    id: 'masquerade-not-random-fully',
    severity: 'warning',
    node: 'node2',
    title: 'MASQUERADE without --random-fully',
    evidence: [
      {
        source: '/snap/node2.json#sources.iptables-legacy-save',
        line: 20,
        text: '-A POSTROUTING -j MASQUERADE',
      },
    ],
    fix: [],
    references: [],
    versions: ['iptables >= 1.6.2'],
  },
  {
    id: 'resolv-conf-ndots',
    severity: 'info',
    node: 'node1',
    title: 'ndots fan-out',
    evidence: [{ source: 'computed', text: 'ndots:5 with 3 search domains' }],
    fix: [],
    references: [],
  },
];

test('text: no ANSI codes when color is false, codes when true', () => {
  const plain = renderFindingsText(FINDINGS, { color: false });
  noAnsi(plain);
  assert.match(plain, /CRITICAL \(1\)/);
  assert.match(plain, /net\.bridge\.bridge-nf-call-iptables = 0 {2}\[snap-dir\/sysctl\.txt:412\]/);
  assert.match(plain, /3 finding\(s\): 1 critical, 1 warning, 1 info/);
  assert.ok(renderFindingsText(FINDINGS, { color: true }).includes(`${ESC}1;31m`));
  noAnsi(renderFindingsText([], { color: false, nodes: ['node1'] }));
});

test('json: §4 shape with fixed key order and optional skipped', () => {
  const doc = JSON.parse(
    renderFindingsJson(FINDINGS, {
      skipped: [{ id: 'ipvs-idle-timeout', node: 'node1', reason: 'needs source ipvsadm' }],
    }),
  );
  assert.equal(doc.findings.length, 3);
  const f = doc.findings[0];
  assert.deepEqual(Object.keys(f), [
    'id',
    'severity',
    'node',
    'title',
    'symptom',
    'evidence',
    'fix',
    'references',
  ]);
  assert.deepEqual(f.evidence[0], {
    source: '/snap/node1.json#sources.sysctl',
    line: 3,
    text: 'net.bridge.bridge-nf-call-iptables = 0',
  });
  assert.deepEqual(doc.findings[1].versions, ['iptables >= 1.6.2']);
  assert.equal('line' in doc.findings[2].evidence[0], false);
  assert.equal(doc.skipped[0].id, 'ipvs-idle-timeout');
  assert.equal('skipped' in JSON.parse(renderFindingsJson([])), false);
});

/** The fields SARIF 2.1.0 requires (and the ones GitHub code scanning insists on). */
function validateSarif(doc: SarifLog): string[] {
  const errs: string[] = [];
  if (doc.version !== '2.1.0') errs.push('version');
  if (typeof doc.$schema !== 'string') errs.push('$schema');
  if (!Array.isArray(doc.runs) || doc.runs.length === 0) return [...errs, 'runs'];
  for (const run of doc.runs) {
    const d = run.tool?.driver;
    if (typeof d?.name !== 'string' || d.name === '') errs.push('tool.driver.name');
    const rules = d?.rules ?? [];
    const seen = new Set<string>();
    for (const r of rules) {
      if (typeof r.id !== 'string' || r.id === '') errs.push('rule.id');
      if (seen.has(r.id)) errs.push(`duplicate rule ${r.id}`);
      seen.add(r.id);
      if (typeof r.shortDescription?.text !== 'string') errs.push(`rule ${r.id} shortDescription.text`);
      if (!['none', 'note', 'warning', 'error'].includes(r.defaultConfiguration?.level))
        errs.push(`rule ${r.id} level`);
    }
    if (!Array.isArray(run.results)) errs.push('results');
    for (const res of run.results ?? []) {
      if (typeof res.message?.text !== 'string' || res.message.text === '') errs.push('result.message.text');
      if (!['none', 'note', 'warning', 'error'].includes(res.level)) errs.push('result.level');
      if (res.ruleIndex !== undefined && rules[res.ruleIndex]?.id !== res.ruleId)
        errs.push(`ruleIndex of ${res.ruleId}`);
      for (const loc of res.locations ?? []) {
        const p = loc.physicalLocation;
        if (p) {
          if (typeof p.artifactLocation?.uri !== 'string') errs.push('artifactLocation.uri');
          else if (/\s/.test(p.artifactLocation.uri)) errs.push('uri with spaces');
          if (p.region && !(Number.isInteger(p.region.startLine) && p.region.startLine >= 1))
            errs.push('region.startLine');
        } else if (!Array.isArray(loc.logicalLocations))
          errs.push('location without physical or logical location');
      }
    }
  }
  return errs;
}

test('sarif: valid 2.1.0 structure, rules from the catalog, levels mapped', () => {
  const doc = JSON.parse(renderSarif(FINDINGS, CHECKS, { version: '0.1.0' })) as SarifLog;
  assert.deepEqual(validateSarif(doc), []);
  const run = doc.runs[0]!;
  assert.equal(run.tool.driver.name, 'podpath');
  assert.equal(run.tool.driver.version, '0.1.0');
  assert.deepEqual(
    run.tool.driver.rules.map((r) => r.id),
    CHECKS.map((c) => c.id),
  );
  assert.equal(run.tool.driver.rules[0]!.name, 'BridgeNfCallIptablesDisabled');
  assert.deepEqual(run.tool.driver.rules[2]!.properties.tags, ['networking', 'kubernetes', 'FM-26', 'FM-03']);
  assert.deepEqual(
    run.results.map((r) => r.level),
    ['error', 'warning', 'note'],
  );
  assert.equal(run.results[1]!.ruleIndex, 1);
});

test('sarif: file and line of the evidence; embedded sources get no region', () => {
  const [r0, r1, r2] = buildSarif(FINDINGS, CHECKS).runs[0]!.results as [
    SarifResult,
    SarifResult,
    SarifResult,
  ];
  // the first evidence that names a file and a line: here the embedded sysctl source
  assert.equal(r0.locations![0]!.physicalLocation!.artifactLocation.uri, 'file:///snap/node1.json');
  assert.equal(r0.locations![0]!.physicalLocation!.region, undefined);
  assert.equal(r0.locations![0]!.logicalLocations![0]!.fullyQualifiedName, 'sources.sysctl:3');
  assert.equal(r1.locations![0]!.logicalLocations![0]!.name, 'sources.iptables-legacy-save');
  assert.equal(r2.locations![0]!.physicalLocation, undefined);
  assert.equal(r2.locations![0]!.logicalLocations![0]!.name, 'computed');
  const plain: Finding = { ...FINDINGS[0]!, evidence: [FINDINGS[0]!.evidence[1]!] };
  const p = buildSarif([plain], CHECKS).runs[0]!.results[0]!.locations![0]!.physicalLocation;
  assert.deepEqual(p, { artifactLocation: { uri: 'snap-dir/sysctl.txt' }, region: { startLine: 412 } });
});

test('sarif: a finding of an unknown check has no ruleIndex and still validates', () => {
  const doc = buildSarif([{ ...FINDINGS[2]!, id: 'not-in-catalog' }], CHECKS);
  assert.deepEqual(validateSarif(doc), []);
  assert.equal(doc.runs[0]!.results[0]!.ruleIndex, undefined);
});

test('markdown: summary table, sections, fix commands in sh blocks, no ANSI', () => {
  const md = renderMarkdown(FINDINGS);
  noAnsi(md);
  assert.match(md, /^# podpath check\n/);
  assert.match(md, /3 finding\(s\): 1 critical, 1 warning, 1 info\./);
  assert.match(
    md,
    /\| critical \| `bridge-nf-call-iptables-disabled` \| node1 \| bridged traffic skips iptables \|/,
  );
  assert.match(md, /## CRITICAL: bridge-nf-call-iptables-disabled on node1/);
  assert.match(md, /```sh\nsudo sysctl -w net\.bridge\.bridge-nf-call-iptables=1\n```/);
  assert.match(md, /- `net\.bridge\.bridge-nf-call-iptables = 0` — snap-dir\/sysctl\.txt:412/);
  assert.match(md, /\*Versions:\* iptables >= 1\.6\.2/);
  assert.equal(renderMarkdown([], { nodes: ['node1'] }), '# podpath check\n\nNo findings on node1.\n');
});

test('catalog table: one row per check, pipes escaped', () => {
  const t = renderCatalogTable(CHECKS);
  const lines = t.trimEnd().split('\n');
  assert.equal(lines[0], '| id | severity | what it detects | FM |');
  assert.equal(lines.length, 2 + CHECKS.length);
  assert.equal(
    lines[2],
    '| `bridge-nf-call-iptables-disabled` | critical | bridged \\| traffic skips iptables | FM-01 |',
  );
  assert.equal(lines[4], '| `resolv-conf-ndots` | info | ndots fan-out | FM-26, FM-03 |');
});
