/**
 * `podpath collect --script` against a real lab node (root, Linux): the POSIX sh script run
 * inside the node's namespace (`ip netns exec`, under busybox sh with busybox's own awk, find,
 * sed, tar... first on PATH when busybox is installed, else dash)
 * yields a .tar.gz from which podpath reads the same facts as from `podpath collect --netns`
 * on the same namespace: sysctls, links, addresses, routes, iptables rules, conntrack
 * entries, pod namespaces. Also: the script parses with `dash -n` and `busybox sh -n`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { collectScript } from './collect-script.js';
import { collectInNetns } from './collect-in-netns.js';
import { runCommand } from './run-command.js';
import { labAvailability } from '../lab/build/host.js';
import { nodeNetns } from '../lab/build/names.js';
import { loadScenario } from '../lab/scenario/load-scenario.js';
import { runScenarioProbes } from '../lab/probe/run-probes.js';
import { withLab } from '../lab/with-lab.js';
import { loadSnapshot } from '../snapshot/load.js';
import { buildNodeModel } from '../model/build.js';
import type { LoadedSnapshot } from '../snapshot/types.js';
import type { NodeModel } from '../model/node.js';

const why = labAvailability();
const has = (prog: string): boolean => spawnSync('sh', ['-c', `command -v ${prog}`]).status === 0;
const SHELL = has('busybox') ? ['busybox', 'sh'] : ['dash'];
/** the tools the script itself uses, taken from busybox (as on a busybox-only node) */
const BUSYBOX_TOOLS = 'awk cat date find grep head hostname mkdir mktemp rm sed sort tail tar tr uname xargs';

/** a directory of busybox applet links to put first on PATH, or undefined without busybox */
function busyboxPath(dir: string): string | undefined {
  if (!has('busybox')) return undefined;
  const bin = join(dir, 'busybox-bin');
  mkdirSync(bin);
  const bb = spawnSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).stdout.trim();
  for (const tool of BUSYBOX_TOOLS.split(' ')) symlinkSync(bb, join(bin, tool));
  return bin;
}

test('collect --script: parses with dash -n and busybox sh -n, and uses no bash-isms', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podpath-script-'));
  try {
    const file = join(dir, 'podpath-collect.sh');
    writeFileSync(file, collectScript());
    const shells = [['dash', '-n'], ...(has('busybox') ? [['busybox', 'sh', '-n']] : [])];
    if (!has('busybox')) t.diagnostic('busybox not installed: checked with dash only');
    for (const [sh, ...args] of shells) {
      const r = spawnSync(sh!, [...args, file], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${sh} -n: ${r.stderr}`);
    }
    const text = collectScript();
    for (const bashism of [/\[\[/, /^function\s/m, /\$'/, /\blocal\s/, /<<</, /\$\{\w+\/\//, /\bsource\s/])
      assert.doesNotMatch(text, bashism);
    assert.match(text, /^#!\/bin\/sh\n/);
    const cli = spawnSync(
      process.execPath,
      [fileURLToPath(new URL('../cli/main.js', import.meta.url)), 'collect', '--script'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal(cli.stdout, text, 'podpath collect --script prints it');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The facts the brief names, in a form both collectors must agree on. */
function facts(n: NodeModel): Record<string, unknown> {
  const h = n.host;
  const sysctl: Record<string, string> = {};
  // nf_conntrack_count moves with the background traffic (IGMP, ND) between the two runs
  for (const [k, v] of h.sysctl) if (k !== 'net.netfilter.nf_conntrack_count') sysctl[k] = v.value;
  const rules = (rs: NodeModel['host']['iptables']): string[] =>
    Object.entries(rs).flatMap(([backend, r]) =>
      Object.values(r?.tables ?? {}).flatMap((t) =>
        Object.values(t!.chains).flatMap((c) =>
          c.rules.map((x) => `${backend} ${t!.name} ${c.name} ${x.text}`),
        ),
      ),
    );
  return {
    sysctl,
    links: h.links.map((l) => `${l.name} ${l.kind ?? '-'} mtu ${l.mtu} master ${l.master ?? '-'}`).sort(),
    addrs: h.addrs.map((a) => `${a.ifname} ${a.local}/${a.prefixlen}`).sort(),
    routes: h.routes.map((r) => `${r.table} ${r.type} ${r.dst} ${r.gateway ?? ''} ${r.dev ?? ''}`).sort(),
    iptables: rules(h.iptables).sort(),
    conntrackEntries: h.conntrack?.length,
    pods: n.pods.map((p) => `${p.name}: ${p.addrs.map((a) => `${a.ifname} ${a.local}`).join(', ')}`).sort(),
    known: [...h.known].sort(),
  };
}

test('collect --script in a lab node: podpath reads the same facts as from collect --netns', async (t) => {
  if (why) return t.skip(`needs root: lab tests skipped (${why})`);
  const dir = mkdtempSync(join(tmpdir(), 'podpath-script-'));
  try {
    const script = join(dir, 'podpath-collect.sh');
    writeFileSync(script, collectScript());
    const sc = loadScenario('incident');
    await withLab(sc, async (lab) => {
      // conntrack entries to compare: the probes leave some ([UNREPLIED] ones among them)
      await runScenarioProbes(sc, { prefix: lab.prefix });
      const ns = nodeNetns(lab.prefix, 'node1');
      const out = join(dir, 'node1.tar.gz');
      const started = Date.now();
      const bin = busyboxPath(dir);
      const env = bin ? ['env', `PATH=${bin}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`] : [];
      const r = await runCommand('ip', ['netns', 'exec', ns, ...env, ...SHELL, script, out], {
        timeoutMs: 180_000,
      });
      t.diagnostic(
        `${SHELL.join(' ')} script${bin ? ` with busybox ${BUSYBOX_TOOLS}` : ''}: exit ${r.exitCode} in ${Date.now() - started} ms`,
      );
      assert.equal(r.exitCode, 0, r.stderr);
      assert.match(r.stderr, /podpath-collect: wrote .*node1\.tar\.gz/);
      const viaScript = await loadSnapshot(out);
      const viaNode: LoadedSnapshot = {
        snapshot: await collectInNetns(ns, { node: 'node1' }),
        origin: 'collect --netns',
        sourceFiles: {},
      };
      assert.equal(viaScript.snapshot.metadata.kernel, viaNode.snapshot.metadata.kernel);
      assert.match(viaScript.snapshot.metadata.collector ?? '', /\(sh\)$/);
      const a = facts(buildNodeModel(viaScript));
      const b = facts(buildNodeModel(viaNode));
      t.diagnostic(
        `compared ${Object.keys(b.sysctl as object).length} sysctls, ${(b.links as []).length} links, ${(b.addrs as []).length} addrs, ${(b.routes as []).length} routes, ${(b.iptables as []).length} rules, ${String(b.conntrackEntries)} conntrack entries, ${(b.pods as []).length} pods`,
      );
      assert.ok(Object.keys(b.sysctl as object).length > 500, 'sysctls read');
      assert.ok((b.iptables as []).length > 20, 'rules read');
      assert.ok((b.conntrackEntries as number) > 0, 'the probes left conntrack entries');
      assert.equal((b.pods as []).length, 2, 'client and frontend-a');
      for (const k of Object.keys(b)) assert.deepEqual(a[k], b[k], k);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
