/**
 * @module bench/scale-bench
 * The rule-set scale benchmark: generated kube-proxy rule sets of 1k / 10k / 30k Services
 * x 5 endpoints on the two-node example cluster (sim/scale-fixture). Per size, in one run:
 *
 * - podpath load: one node's snapshot read, its rules parsed and modelled (`load`), the
 *   same work `iptables-legacy-restore --test` does on the same rule text, which runs in a
 *   scratch network namespace (`ip netns add ppB...`, always deleted);
 * - trace end to end: both snapshots loaded and modelled, one flow traced;
 * - fan-out: every endpoint of every Service from one pod (diagnose/fanout);
 * - peak RSS of the podpath child process.
 *
 * Each size runs in its own child process (this file with `--child`), so peak memory is per
 * size. Wall seconds are printed with CPU seconds in brackets: on a shared machine the CPU
 * time is the steadier number. Rows are produced per proxy mode (`MODES`): iptables mode
 * against `iptables-legacy-restore --test`, nftables mode (bench/nft-scale-fixture: node JSON
 * as the kernel lists it) against `nft -c -f FILE` on the same rule text. Prints; asserts nothing.
 *
 *   node dist/bench/scale-bench.js [--sizes 1000,10000,30000] [--nft-sizes 1000,10000]
 *     [--endpoints 5] [--no-restore]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { loadSnapshot } from '../snapshot/load.js';
import { buildCluster } from '../model/build.js';
import { traceFlow } from '../diagnose/trace.js';
import { fanout } from '../diagnose/fanout.js';
import { scaleSnapshots, SCALE_CLIENT } from '../sim/scale-fixture.js';
import { fixtureServiceIp } from '../parse/iptables-save/kube-proxy-fixture.js';
import { kernelNftJson, nftScaleSnapshots, scaleNftText } from './nft-scale-fixture.js';

/** What the child measured (JSON on its stdout). */
interface ChildResult {
  lines: number;
  rules: number;
  load: Timed;
  trace: Timed & { outcome: string; paths: number };
  fanout: Timed & { paths: number; services: number; byOutcome: Record<string, number> };
  peakRssMiB: number;
  rssAfterLoadMiB: number;
}

interface Timed {
  wall: number;
  cpu: number;
}

/** A proxy mode's rows: how to write its files and which standard tool checks the same text. */
interface Mode {
  name: string;
  /** the reference tool's command line; the rule file is its stdin */
  reference: { label: string; cmd: string; args: string[] };
  /** writes node1.json, node2.json and the rule text of one node; returns the rule file */
  write(dir: string, services: number, endpoints: number): { ruleFile: string; lines: number; rules: number };
  /** the reference reads the rule file as an argument (`-f FILE`) instead of stdin */
  fileArg?: boolean;
  /** sizes run by default (`--nft-sizes` overrides for nftables); undefined = `--sizes` */
  sizesOption?: 'nft-sizes';
}

const MODES: Mode[] = [
  {
    name: 'iptables',
    reference: { label: 'iptables-legacy-restore --test', cmd: 'iptables-legacy-restore', args: ['--test'] },
    write(dir, services, endpoints) {
      const { fixture, snapshots } = scaleSnapshots(services, endpoints);
      for (const s of snapshots) writeFileSync(join(dir, `${s.metadata.node}.json`), JSON.stringify(s));
      const ruleFile = join(dir, 'node1.rules');
      writeFileSync(ruleFile, snapshots[0]!.sources['iptables-legacy-save']!.stdout);
      const lines = snapshots[0]!.sources['iptables-legacy-save']!.stdout.split('\n').length;
      return { ruleFile, lines, rules: fixture.rules };
    },
  },
  {
    name: 'nftables',
    reference: { label: 'nft -c -f FILE', cmd: 'nft', args: ['-c', '-f'] },
    fileArg: true,
    sizesOption: 'nft-sizes',
    write(dir, services, endpoints) {
      // what a node prints: each node's text loaded by the kernel and listed back as JSON
      const texts = [0, 1].map((n) => scaleNftText(services, endpoints, n));
      const json = texts.map((t) => {
        const r = kernelNftJson(t);
        if (!r.ok) throw new Error(r.error);
        return r.json;
      });
      for (const s of nftScaleSnapshots(json))
        writeFileSync(join(dir, `${s.metadata.node}.json`), JSON.stringify(s));
      const ruleFile = join(dir, 'node1.nft');
      writeFileSync(ruleFile, texts[0]!);
      const all = texts[0]!.split('\n');
      return { ruleFile, lines: all.length, rules: all.filter((l) => l.startsWith('add rule ')).length };
    },
  },
];

function timed<T>(f: () => T): [T, Timed] {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const v = f();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  return [v, { wall, cpu: (c.user + c.system) / 1e6 }];
}

async function timedAsync<T>(f: () => Promise<T>): Promise<[T, Timed]> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const v = await f();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  return [v, { wall, cpu: (c.user + c.system) / 1e6 }];
}

const mib = (kib: number) => kib / 1024;

/** Child mode: load, trace and fan out over the snapshots in `dir`. */
async function child(dir: string, lines: number, rules: number): Promise<number> {
  const n1 = join(dir, 'node1.json');
  const n2 = join(dir, 'node2.json');
  const [, load] = await timedAsync(async () => buildCluster([await loadSnapshot(n1)]));
  const rssAfterLoadMiB = process.memoryUsage().rss / 1048576;
  const [tr, trace] = await timedAsync(async () => {
    const cluster = buildCluster([await loadSnapshot(n1), await loadSnapshot(n2)]);
    const t = traceFlow(cluster, { proto: 'tcp', src: SCALE_CLIENT, dst: fixtureServiceIp(7), dport: 80 });
    // keep the summary only: a TraceResult held across the fan-out made it ~3x slower (not understood yet)
    return { cluster, outcome: t.outcome, paths: t.paths.length };
  });
  const [fo, fan] = timed(() => fanout(tr.cluster, SCALE_CLIENT));
  const out: ChildResult = {
    lines,
    rules,
    load,
    trace: { ...trace, outcome: tr.outcome, paths: tr.paths },
    fanout: {
      ...fan,
      paths: fo.walked,
      services: fo.services.length,
      byOutcome: fo.byOutcome as Record<string, number>,
    },
    peakRssMiB: mib(process.resourceUsage().maxRSS),
    rssAfterLoadMiB,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
  return 0;
}

/** Runs the reference tool on the rule file inside a scratch namespace; wall and CPU seconds. */
function reference(mode: Mode, ruleFile: string): { t?: Timed; note: string } {
  if (process.getuid?.() !== 0) return { note: 'not root: no scratch namespace' };
  const ns = `ppB${randomBytes(4).toString('hex')}`;
  const add = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
  if (add.status !== 0) return { note: `ip netns add failed: ${add.stderr.trim()}` };
  try {
    const fd = openSync(ruleFile, 'r');
    try {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(
        '/usr/bin/time',
        [
          '-f',
          '%U %S',
          'ip',
          'netns',
          'exec',
          ns,
          mode.reference.cmd,
          ...mode.reference.args,
          ...(mode.fileArg ? [ruleFile] : []),
        ],
        { stdio: [mode.fileArg ? 'ignore' : fd, 'ignore', 'pipe'], encoding: 'utf8' },
      );
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      const last = (r.stderr ?? '').trim().split('\n').at(-1) ?? '';
      const [u, s] = last.split(' ').map(Number);
      if (r.status !== 0)
        return { note: `${mode.reference.cmd} exit ${r.status}: ${r.stderr.trim().slice(0, 200)}` };
      return { t: { wall, cpu: (u ?? 0) + (s ?? 0) }, note: '' };
    } finally {
      closeSync(fd);
    }
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
}

const f2 = (n: number) => n.toFixed(2);
const ts = (t: Timed | undefined) => (t ? `${f2(t.wall)} (${f2(t.cpu)})` : 'n/a');

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padStart(w[i]!)).join(' | ')} |`;
  return [line(head), `|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '1000,10000,30000' },
      // nft -f / -c -f of 10k Services take about a minute each (superlinear): 30k on request
      'nft-sizes': { type: 'string', default: '1000,10000' },
      endpoints: { type: 'string', default: '5' },
      'no-restore': { type: 'boolean', default: false },
      child: { type: 'string' },
      lines: { type: 'string' },
      rules: { type: 'string' },
    },
    strict: true,
  });
  if (values.child) return child(values.child, Number(values.lines), Number(values.rules));
  const sizesOf = (m: Mode) => (m.sizesOption ? values[m.sizesOption] : values.sizes).split(',').map(Number);
  const sizes = [...sizesOf(MODES[0]!), ...MODES.flatMap(sizesOf)];
  const endpoints = Number(values.endpoints);
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0) || !Number.isInteger(endpoints) || endpoints <= 0) {
    console.error(
      `scale-bench: --sizes and --endpoints take positive integers, got ${values.sizes} / ${values.endpoints}`,
    );
    return 2;
  }
  const self = fileURLToPath(import.meta.url);
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const mode of MODES) {
    for (const services of sizesOf(mode)) {
      const dir = mkdtempSync(join(tmpdir(), 'podpath-scale-bench-'));
      try {
        let w: ReturnType<Mode['write']>;
        try {
          w = mode.write(dir, services, endpoints);
        } catch (e) {
          notes.push(`${mode.name} ${services}: could not write the fixture: ${(e as Error).message}`);
          continue;
        }
        const ref = values['no-restore'] ? { note: 'skipped (--no-restore)' } : reference(mode, w.ruleFile);
        if (ref.note) notes.push(`${mode.name} ${services}: ${mode.reference.label}: ${ref.note}`);
        const r = spawnSync(
          process.execPath,
          [
            '--max-old-space-size=8192',
            self,
            '--child',
            dir,
            '--lines',
            String(w.lines),
            '--rules',
            String(w.rules),
          ],
          { encoding: 'utf8', maxBuffer: 1 << 20 },
        );
        if (r.status !== 0) {
          notes.push(`${mode.name} ${services}: podpath child failed: ${r.stderr.trim().slice(-400)}`);
          continue;
        }
        const c = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as ChildResult;
        const ratio = ref.t ? `${f2(c.load.wall / ref.t.wall)} (${f2(c.load.cpu / ref.t.cpu)})` : 'n/a';
        rows.push([
          mode.name,
          String(services),
          String(c.lines),
          ts(c.load),
          ts(ref.t),
          ratio,
          ts(c.trace),
          String(c.fanout.paths),
          ts(c.fanout),
          ((c.fanout.cpu / c.fanout.paths) * 1e6).toFixed(0),
          c.rssAfterLoadMiB.toFixed(0),
          c.peakRssMiB.toFixed(0),
          ((c.load.cpu / services) * 1000).toFixed(2),
        ]);
        notes.push(
          `${mode.name} ${services}: trace ${c.trace.outcome} over ${c.trace.paths} paths; fan-out ${c.fanout.services} services ${JSON.stringify(c.fanout.byOutcome)}`,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  console.log(
    `scale bench: kube-proxy rule sets, ${endpoints} endpoints per Service, two-node example cluster; seconds as wall (cpu)`,
  );
  console.log(
    table(
      [
        'mode',
        'services',
        'lines/node',
        'podpath load 1 node s',
        'reference s',
        'ratio',
        'trace e2e 2 nodes s',
        'fan-out paths',
        'fan-out s',
        'µs/path cpu',
        'RSS load MiB',
        'peak RSS MiB',
        'load cpu ms/1k svc',
      ],
      rows,
    ),
  );
  console.log(
    `reference: ${MODES.map((m) => `${m.name} = ${m.reference.label}`).join('; ')} (scratch netns)`,
  );
  for (const n of notes) console.log(`  ${n}`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`scale-bench: ${(e as Error)?.stack ?? String(e)}`);
    process.exitCode = 2;
  },
);
