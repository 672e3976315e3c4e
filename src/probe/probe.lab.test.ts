/**
 * `podpath probe` from a real lab pod namespace and `podpath doctor` live in a lab node
 * (root): the seed incident, where the ClusterIP fails for the same-node backend only while
 * both pod IPs answer; probe's explanation, the model's prediction beside it, and doctor's
 * grouping agree. Without root each test says so and skips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labAvailability } from '../lab/build/host.js';
import { nodeNetns, podNetns } from '../lab/build/names.js';
import { loadScenario } from '../lab/scenario/load-scenario.js';
import { withLab } from '../lab/with-lab.js';
import { collectLabNodes } from '../lab/collect-lab.js';
import { cliArgv } from '../collect/collect-in-netns.js';
import { runCommand } from '../collect/run-command.js';
import { clusterInventory } from '../lab/cluster-inventory.js';

const why = labAvailability();

test('incident lab: probe from the client pod explains the same-node failure; doctor on node1 groups it', async (t) => {
  if (why) return t.skip('needs root: lab tests skipped');
  await withLab(loadScenario('incident'), async (lab) => {
    const tmp = mkdtempSync(join(tmpdir(), 'pp-probe-lab-'));
    try {
      const inv = join(tmp, 'cluster.json');
      writeFileSync(inv, JSON.stringify(clusterInventory(lab.scenario)));
      const snaps = await collectLabNodes(lab.prefix);
      const files = snaps.map((s) => {
        const f = join(tmp, `${s.metadata.node}.json`);
        writeFileSync(f, JSON.stringify(s));
        return f;
      });
      const client = lab.scenario.pods.find((p) => p.name === 'client')!;
      const [node, ...pre] = cliArgv();
      const r = await runCommand('ip', [
        'netns',
        'exec',
        podNetns(lab.prefix, client),
        node!,
        ...pre,
        'probe',
        '--cluster',
        inv,
        '--no-dns',
        '--timeout',
        '1s',
        '--attempts',
        '8',
        '--json',
        ...files.flatMap((f) => ['--snapshot', f]),
      ]);
      assert.equal(r.exitCode, 1, r.stderr);
      const report = JSON.parse(r.stdout) as {
        from: { pod?: string; node?: string };
        services: {
          summary: string;
          verdict: string;
          clusterIP: { outcome: string }[];
          endpoints: { endpoint: { pod?: string; placement: string }; result: { outcome: string } }[];
          simulated?: { endpoint: string; outcome: string; cause?: string }[];
        }[];
      };
      assert.deepEqual(report.from, {
        ips: ['10.224.1.34'],
        pod: 'spring-prod/client',
        node: 'node1',
      } as unknown as typeof report.from);
      const s = report.services[0]!;
      t.diagnostic(`probe: ${s.summary}`);
      assert.equal(s.verdict, 'degraded');
      const vipOutcomes = new Set(s.clusterIP.map((c) => c.outcome));
      assert.deepEqual(
        [...vipOutcomes].sort(),
        ['connected', 'timeout'],
        'some ClusterIP connects time out, some connect',
      );
      assert.deepEqual(
        s.endpoints.map((e) => `${e.endpoint.pod} ${e.endpoint.placement} ${e.result.outcome}`),
        ['spring-prod/frontend-a same-node connected', 'spring-prod/frontend-b cross-node connected'],
      );
      assert.match(s.summary, /ClusterIP fails \d\/8 \(timeout\), pod IPs work/);
      assert.deepEqual(
        [...(s.simulated ?? [])].sort((a, b) => a.endpoint.localeCompare(b.endpoint)),
        [
          { endpoint: '10.224.1.56:8080', outcome: 'timeout', cause: 'reply-bypassed-conntrack' },
          { endpoint: '10.224.2.23:8080', outcome: 'connected' },
        ],
      );

      const d = await runCommand('ip', [
        'netns',
        'exec',
        nodeNetns(lab.prefix, 'node1'),
        node!,
        ...pre,
        'doctor',
        '--node',
        'node1',
        '--cluster',
        inv,
        '--json',
      ]);
      assert.equal(d.exitCode, 1, `exit ${d.exitCode}: ${d.stderr.slice(-2000)} ${d.stdout.slice(0, 500)}`);
      const doc = JSON.parse(d.stdout) as {
        unjudged: { endpointNode?: string }[];
        groups: {
          causeId?: string;
          locality: string;
          because: string[];
          pairs: { client: { name?: string }; endpoint: string }[];
        }[];
      };
      assert.equal(doc.groups.length, 1);
      const g = doc.groups[0]!;
      t.diagnostic(`doctor: ${g.because.join(' -> ')}`);
      assert.equal(g.causeId, 'reply-bypassed-conntrack');
      assert.equal(g.locality, 'same-node', 'node2 is not collected by a live doctor on node1');
      assert.equal(g.because.at(-1), 'net.bridge.bridge-nf-call-iptables = 0');
      assert.deepEqual(
        g.pairs.map((p) => `${p.client.name} ${p.endpoint}`),
        ['spring-prod/client 10.224.1.56:8080'],
      );
      assert.deepEqual(
        doc.unjudged.map((p) => p.endpointNode),
        ['node2', 'node2'],
      );
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
