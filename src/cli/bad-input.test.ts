/**
 * Bad input for the CLI: truncated files, an nft dump where iptables-save belongs, binary
 * garbage, empty files, a 100 MB line, missing sources. Each must give a message naming the
 * file (and the line where there is one), exit 2, and print nothing on stdout; the 100 MB
 * cases run with a 512 MB heap limit to keep memory bounded.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRepoRoot } from '../snapshot/repo-root.js';
import { writeSnapshotDir } from '../snapshot/write-dir.js';
import type { NodeSnapshot } from '../snapshot/types.js';

const root = findRepoRoot(import.meta.url);
const bin = join(root, 'dist', 'cli', 'main.js');
const example = join(root, 'examples', 'incident', 'node1.json');
let tmp = '';
let good = '';

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'podpath-bad-'));
  good = join(tmp, 'good');
  await writeSnapshotDir(JSON.parse(readFileSync(example, 'utf8')) as NodeSnapshot, good);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[], heapMb?: number) {
  const node = heapMb ? [`--max-old-space-size=${heapMb}`] : [];
  return spawnSync(process.execPath, [...node, bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', PODPATH_KEEP_GOING: '' },
    maxBuffer: 1 << 24,
  });
}

/** a copy of the good snapshot directory with `files` replaced (undefined: removed) */
function variant(name: string, files: Record<string, string | Buffer | undefined>): string {
  const dir = join(tmp, name);
  cpSync(good, dir, { recursive: true });
  for (const [f, v] of Object.entries(files)) {
    if (v === undefined) rmSync(join(dir, f), { force: true });
    else writeFileSync(join(dir, f), v);
  }
  return dir;
}

function file(name: string, content: string | Buffer): string {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
}

const TRACE = ['--from', '10.224.1.34', '--to', '10.233.53.172:8080'];

/** exit 2, empty stdout, every pattern on stderr; `all`: also check --json, --sarif and trace */
function rejects(
  snapshot: string,
  patterns: RegExp[],
  opts: { heapMb?: number; all?: boolean } = {},
): string {
  const heapMb = opts.heapMb;
  const commands = [['check', '--snapshot', snapshot]];
  if (opts.all)
    commands.push(
      ['check', '--json', '--snapshot', snapshot],
      ['check', '--sarif', '--snapshot', snapshot],
      ['trace', '--snapshot', snapshot, ...TRACE],
      ['trace', '--json', '--snapshot', snapshot, ...TRACE],
    );
  let stderr = '';
  for (const args of commands) {
    const r = run(args, heapMb);
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}\n${r.stderr.slice(0, 2000)}`);
    assert.equal(r.stdout, '', `${args[0]}: nothing on stdout`);
    for (const p of patterns) assert.match(r.stderr, p, args.join(' '));
    assert.ok(r.stderr.length < 4000, `short message (${r.stderr.length} bytes)`);
    assert.doesNotMatch(r.stderr, /internal error|at .*\.js:\d+/, 'no stack trace');
    stderr = r.stderr;
  }
  return stderr;
}

const iptables = () => readFileSync(join(good, 'iptables-legacy-save.txt'), 'utf8');

test('the good directory is accepted (the variants below differ from it in one file)', () => {
  const r = run(['check', '--snapshot', good]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /bridge-nf-call-iptables-disabled/);
});

test('truncated: a JSON snapshot cut short, an iptables-save without COMMIT, ip -j link cut', () => {
  const json = readFileSync(example, 'utf8');
  rejects(file('trunc.json', json.slice(0, 3000)), [/trunc\.json:\d+:\d+: invalid JSON: unexpected end/]);
  const ipt = iptables();
  rejects(variant('trunc-ipt', { 'iptables-legacy-save.txt': ipt.slice(0, ipt.indexOf('COMMIT') - 1) }), [
    /iptables-legacy-save\.txt:\d+: error UNEXPECTED_EOF: table \w+ \(line \d+\) has no COMMIT/,
    /parse error\(s\) in the input: nothing analysed/,
  ]);
  const link = readFileSync(join(good, 'ip-link.json'), 'utf8');
  rejects(variant('trunc-link', { 'ip-link.json': link.slice(0, 700) }), [
    /ip-link\.json:1:701: error UNEXPECTED_EOF/,
  ]);
});

test('wrong format: an nft dump where iptables-save belongs, iptables -L output', () => {
  const nft =
    'table ip filter {\n\tchain FORWARD {\n\t\ttype filter hook forward priority filter; policy drop;\n\t}\n}\n';
  rejects(
    variant('nft-as-ipt', { 'iptables-legacy-save.txt': nft }),
    [/iptables-legacy-save\.txt:1:1: error WRONG_FORMAT: this is `nft list ruleset` text, not iptables-save/],
    { all: true },
  );
  rejects(
    variant('ipt-L', {
      'iptables-legacy-save.txt': 'Chain FORWARD (policy DROP)\ntarget prot opt source destination\n',
    }),
    [/iptables-legacy-save\.txt:1:1: error WRONG_FORMAT: this is `iptables -L` output/],
  );
});

test('binary garbage: as the snapshot, and as a source file', () => {
  const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
  rejects(
    file('garbage.bin', garbage),
    [/garbage\.bin:1:\d+: binary data \(a NUL byte or invalid UTF-8\): not a snapshot/],
    {
      all: true,
    },
  );
  rejects(variant('garbage-src', { 'iptables-legacy-save.txt': garbage, 'ip-addr.json': garbage }), [
    /iptables-legacy-save\.txt:1:\d+: binary data \(a NUL byte or invalid UTF-8\), not `iptables-legacy-save` output/,
    /ip-addr\.json:1:\d+: binary data/,
  ]);
});

test('empty: the snapshot file, a directory without sources, sources that are never empty', () => {
  rejects(file('empty.json', ''), [/empty\.json:1:1: invalid JSON/]);
  const dir = join(tmp, 'empty-dir');
  mkdirSync(dir);
  writeFileSync(join(dir, 'notes.md'), 'not a source\n');
  rejects(dir, [/empty-dir: no snapshot sources in it/]);
  rejects(variant('empty-src', { 'sysctl.txt': '', 'ip-link.json': '\n' }), [
    /sysctl\.txt:1: empty, but sysctl -a always prints values/,
    /ip-link\.json:1: empty, but `ip link show` always lists at least lo/,
  ]);
  // an empty iptables-save is a node without tables, not an error
  const r = run(['check', '--snapshot', variant('empty-ipt', { 'iptables-legacy-save.txt': '' })]);
  assert.notEqual(r.status, 2, r.stderr);
});

test('100 MB on one line: as the snapshot and as a source, bounded memory (512 MB heap)', () => {
  const big = 'A'.repeat(100_000_000);
  const t0 = Date.now();
  rejects(file('big.txt', big), [/big\.txt:1:1: not a snapshot/], { heapMb: 512 });
  rejects(
    variant('big-sysctl', { 'sysctl.txt': big }),
    [/sysctl\.txt:1: a line of 100000000 characters \(more than 65536\): not `sysctl -a` output/],
    { heapMb: 512 },
  );
  rejects(
    variant('big-ipt', { 'iptables-legacy-save.txt': `*filter\n-A FORWARD -s ${big}\nCOMMIT\n` }),
    [/iptables-legacy-save\.txt:2: a line of 100000014 characters/],
    { heapMb: 512 },
  );
  const ms = Date.now() - t0;
  assert.ok(ms < 90_000, `${ms} ms`);
});

test('missing: a path that does not exist, no --snapshot at all', () => {
  rejects(join(tmp, 'nope.json'), [/nope\.json: cannot read: no such file or directory/]);
  const r = run(['check']);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /no --snapshot given/);
});

test('a long quoted excerpt in a parse error is clipped', () => {
  const r = run([
    'check',
    '--snapshot',
    variant('long-route', { 'conntrack.txt': `${'B'.repeat(60_000)}\n` }),
  ]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /conntrack\.txt:1:1: error SYNTAX: .*… \(\d+ characters\)/);
  assert.ok(r.stderr.length < 2000, `${r.stderr.length} bytes`);
});

test('--keep-going: a parse error becomes a warning and the rest is analysed', () => {
  const ipt = iptables();
  const dir = variant('keep-going', {
    'iptables-legacy-save.txt': ipt.replace('COMMIT', '-A FORWARD --no-such-option\nCOMMIT'),
  });
  const strict = run(['check', '--snapshot', dir]);
  assert.equal(strict.status, 2, strict.stderr);
  assert.equal(strict.stdout, '');
  const lenient = run(['check', '--snapshot', dir, '--keep-going']);
  assert.equal(lenient.status, 1, lenient.stderr);
  assert.match(lenient.stderr, /warning: .*iptables-legacy-save\.txt:\d+/);
  assert.match(lenient.stdout, /bridge-nf-call-iptables-disabled/);
});
