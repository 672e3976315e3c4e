/**
 * deploy/: the manifests parse, keep least privilege, the three copies of the alert rules
 * agree, every metric the rules and the dashboard use is one the agent exports, and the
 * rules pass `promtool check rules` and `promtool test rules` (and a broken rule fails them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  readFileSync,
  readdirSync,
  mkdtempSync,
  writeFileSync,
  copyFileSync,
  rmSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse, parseAllDocuments } from 'yaml';
import { findRepoRoot } from '../snapshot/repo-root.js';
import { makeMetrics } from './metrics.js';

const root = findRepoRoot(import.meta.url);
const deploy = join(root, 'deploy');
const read = (p: string) => readFileSync(join(deploy, p), 'utf8');
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function docs(p: string): Obj[] {
  const all = parseAllDocuments(read(p));
  for (const d of all) assert.deepEqual(d.errors, [], `${p}: ${d.errors.join('; ')}`);
  return all.map((d) => d.toJSON() as Obj).filter(Boolean);
}

test('DaemonSet: host network, only NET_ADMIN and NET_RAW, read-only root, not privileged', () => {
  const objs = docs('kubernetes/podpath-agent.yaml');
  const ds = objs.find((o) => o['kind'] === 'DaemonSet')!;
  const spec = ds['spec'].template.spec;
  assert.equal(spec.hostNetwork, true);
  assert.equal(spec.hostPID, undefined);
  const c = spec.containers[0];
  assert.deepEqual(c.securityContext.capabilities, { drop: ['ALL'], add: ['NET_ADMIN', 'NET_RAW'] });
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  assert.equal(c.securityContext.allowPrivilegeEscalation, false);
  assert.equal(c.securityContext.privileged, undefined);
  assert.ok(c.args.includes('--no-pods'));
  assert.ok(c.args.includes('--full-every=5m'));
  assert.ok(
    c.env.some((e: Obj) => e['name'] === 'NODE_OPTIONS' && e['value'] === '--max-semi-space-size=1'),
    'small young generation (peak RSS)',
  );
  assert.ok(
    c.volumeMounts.every((m: Obj) => m['mountPath'] === '/tmp' || m['readOnly'] === true),
    'host paths read-only',
  );
  assert.equal(c.readinessProbe.httpGet.path, '/readyz');
  assert.equal(c.livenessProbe.httpGet.path, '/healthz');
});

test('RBAC: read (get/list/watch), Events create/patch, nodes/status patch, nothing else', () => {
  const role = docs('kubernetes/podpath-agent.yaml').find((o) => o['kind'] === 'ClusterRole')!;
  for (const r of role['rules'] as Obj[]) {
    const res = r['resources'] as string[];
    const verbs = r['verbs'] as string[];
    if (res.includes('events')) assert.deepEqual(verbs, ['create', 'patch']);
    else if (res.includes('nodes/status')) assert.deepEqual([res, verbs], [['nodes/status'], ['patch']]);
    else assert.deepEqual(verbs, ['get', 'list', 'watch'], JSON.stringify(r));
    assert.ok(!res.includes('secrets') && !res.includes('*'));
  }
  const helm = read('helm/podpath/templates/rbac.yaml');
  for (const v of ['delete', 'update', 'secrets', "'*'", '"*"'])
    assert.ok(!helm.includes(v), `helm rbac mentions ${v}`);
});

test('alert rules: the file, the PrometheusRule and the Helm copy are the same', () => {
  const rules = parse(read('prometheus/podpath-rules.yaml')) as Obj;
  const cr = docs('kubernetes/prometheusrule.yaml')[0]!;
  assert.equal(cr['kind'], 'PrometheusRule');
  assert.deepEqual(cr['spec'], rules);
  assert.equal(read('helm/podpath/files/podpath-rules.yaml'), read('prometheus/podpath-rules.yaml'));
  for (const f of ['Chart.yaml', 'values.yaml']) parse(read(join('helm/podpath', f)));
  for (const f of readdirSync(join(deploy, 'helm/podpath/templates'))) {
    const t = read(join('helm/podpath/templates', f));
    assert.equal((t.match(/\{\{/g) ?? []).length, (t.match(/\}\}/g) ?? []).length, `${f}: unbalanced {{ }}`);
    assert.ok(!t.includes('\t'), `${f}: tab`);
  }
});

test('rules and dashboard use only metrics the agent exports', async () => {
  const exported = new Set((await makeMetrics().registry.getMetricsAsJSON()).map((m) => m.name));
  const used = (s: string) => [...s.matchAll(/\b(podpath_[a-z_]+)/g)].map((m) => m[1]!);
  const dash = JSON.parse(read('grafana/podpath-dashboard.json')) as {
    panels: { targets: { expr: string }[] }[];
  };
  const exprs = [
    ...dash.panels.flatMap((p) => p.targets.map((t) => t.expr)),
    ...((parse(read('prometheus/podpath-rules.yaml')) as Obj)['groups'] as Obj[]).flatMap((g) =>
      (g['rules'] as Obj[]).map((r) => r['expr'] as string),
    ),
  ];
  assert.ok(exprs.length > 10);
  for (const e of exprs)
    for (const m of used(e)) assert.ok(exported.has(m), `${m} (in ${e}) is not exported`);
});

const promtool = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find(existsSync);

test('promtool check rules and test rules pass; a broken alert fails the unit test', (t) => {
  if (!promtool) return t.skip('promtool not installed (Debian package prometheus): skipped');
  const dir = join(deploy, 'prometheus');
  const check = spawnSync(promtool, ['check', 'rules', join(dir, 'podpath-rules.yaml')], {
    encoding: 'utf8',
  });
  assert.equal(check.status, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /SUCCESS: 5 rules found/);
  const unit = spawnSync(promtool, ['test', 'rules', 'podpath-rules.test.yaml'], {
    cwd: dir,
    encoding: 'utf8',
  });
  assert.equal(unit.status, 0, unit.stdout + unit.stderr);
  const tmp = mkdtempSync(join(tmpdir(), 'pp-rules-'));
  try {
    copyFileSync(join(dir, 'podpath-rules.test.yaml'), join(tmp, 'podpath-rules.test.yaml'));
    writeFileSync(
      join(tmp, 'podpath-rules.yaml'),
      read('prometheus/podpath-rules.yaml').replace('"} == 0', '"} == 2'),
    );
    const broken = spawnSync(promtool, ['test', 'rules', 'podpath-rules.test.yaml'], {
      cwd: tmp,
      encoding: 'utf8',
    });
    assert.notEqual(broken.status, 0, 'the unit test notices a rule that never fires');
    assert.match(broken.stdout + broken.stderr, /PodpathBridgeNfCallIptablesDisabled/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
