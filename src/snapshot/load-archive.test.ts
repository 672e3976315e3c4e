import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadSnapshot } from './load.js';
import { readTar } from './read-tar.js';
import { SnapshotError } from './snapshot-error.js';
import { makeSnapshotDir, removeTempDirs, SAMPLE_FILES } from './make-snapshot-dir.js';

after(removeTempDirs);

/** `tar -czf <dir>/../<name> -C <dir>/.. <dir name>` with the system tar */
function tarOf(dir: string, name: string, ...flags: string[]): string {
  const out = join(dirname(dir), name);
  execFileSync('tar', [...flags, '-czf', out, '-C', dirname(dir), basename(dir)]);
  return out;
}

/** a one-file ustar archive written by hand, for names the system tar would not store */
function handMadeTar(name: string, body: string): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(Buffer.byteLength(body).toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0' + '00', 257, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  const data = Buffer.alloc(Math.ceil(Buffer.byteLength(body) / 512) * 512);
  data.write(body);
  return Buffer.concat([h, data, Buffer.alloc(1024)]);
}

test('tar.gz of a snapshot folder: same snapshot as the folder, node name from the folder', async () => {
  const files = { ...SAMPLE_FILES };
  delete files['hostname.txt'];
  const dir = await makeSnapshotDir(files, 'k8s-worker2');
  const archive = tarOf(dir, 'k8s-worker2.tar.gz');
  const fromTar = await loadSnapshot(archive);
  const fromDir = await loadSnapshot(dir);
  assert.equal(fromTar.snapshot.metadata.node, 'k8s-worker2');
  assert.deepEqual(fromTar.snapshot, fromDir.snapshot);
  assert.equal(fromTar.sourceFiles.sysctl, `${archive}!k8s-worker2/sysctl.txt`);
  assert.equal(
    fromTar.sourceFiles['netns/cni-2/ip-route'],
    `${archive}!k8s-worker2/netns/cni-2/ip-route.txt`,
  );
});

test('archive without a top folder (tar -C dir .): node name from the archive name; pax format; long names', async () => {
  const longNs = 'cni-' + 'a'.repeat(120);
  const dir = await makeSnapshotDir(
    { 'sysctl.txt': 'a = 1\n', [`netns/${longNs}/ip-addr.json`]: '[]' },
    'flat',
  );
  const flat = join(dirname(dir), 'node-9.tgz');
  execFileSync('tar', ['-czf', flat, '-C', dir, '.']);
  const l = await loadSnapshot(flat);
  assert.equal(l.snapshot.metadata.node, 'node-9');
  assert.equal(l.snapshot.netns?.[0]?.name, longNs);
  const pax = tarOf(dir, 'pax.tgz', '--format=pax');
  assert.equal((await loadSnapshot(pax)).snapshot.netns?.[0]?.name, longNs);
  const plain = join(dirname(dir), 'plain.tar');
  execFileSync('tar', ['-cf', plain, '-C', dirname(dir), 'flat']);
  assert.equal((await loadSnapshot(plain)).snapshot.sources.sysctl?.stdout, 'a = 1\n');
});

test('archive safety: .. and absolute paths are refused, symlinks are not followed', async () => {
  const dir = await makeSnapshotDir({ 'uname.txt': '6.1.0\n' }, 'evil');
  for (const name of ['../escape.txt', '/etc/sysctl.txt', 'evil/../../x.txt']) {
    const p = join(dirname(dir), 'evil.tgz');
    await writeFile(p, gzipSync(handMadeTar(name, 'x')));
    await assert.rejects(
      loadSnapshot(p),
      (e: unknown) => e instanceof SnapshotError && e.file === p && /refusing unsafe path/.test(e.message),
    );
  }
  await symlink('/etc/passwd', join(dir, 'sysctl.txt'));
  const l = await loadSnapshot(tarOf(dir, 'links.tgz'));
  assert.equal(l.snapshot.sources.sysctl, undefined);
  assert.equal(l.snapshot.sources.uname?.stdout, '6.1.0\n');
});

test('damaged archives are SnapshotErrors naming the archive', async () => {
  const dir = await makeSnapshotDir({ 'sysctl.txt': 'a = 1\n'.repeat(500) }, 'dmg');
  const good = await readFile(tarOf(dir, 'dmg.tgz'));
  const p = join(dirname(dir), 'cut.tgz');
  await writeFile(p, good.subarray(0, Math.floor(good.length / 2)));
  await assert.rejects(
    loadSnapshot(p),
    (e: unknown) => e instanceof SnapshotError && e.message.startsWith(`${p}: not a readable gzip archive`),
  );
  const tar = handMadeTar('a.txt', 'x');
  tar[0] = 0x41; // checksum no longer matches
  assert.throws(
    () => readTar(tar, 'bad.tar'),
    (e: unknown) => e instanceof SnapshotError && /bad header checksum/.test(e.message),
  );
  const short = handMadeTar('a.txt', 'x'.repeat(600)).subarray(0, 700);
  assert.throws(
    () => readTar(short, 'short.tar'),
    (e: unknown) => e instanceof SnapshotError && /truncated archive/.test(e.message),
  );
});

test('readTar returns regular files only, with ./ stripped', async () => {
  const dir = await makeSnapshotDir({ 'a.txt': 'A', 'sub/b.txt': 'B' }, 'rt');
  await mkdir(join(dir, 'emptydir'));
  const out = join(dirname(dir), 'rt.tar');
  execFileSync('tar', ['-cf', out, '-C', dir, '.']);
  const files = readTar(await readFile(out), out);
  assert.deepEqual([...files.keys()].sort(), ['a.txt', 'sub/b.txt']);
  assert.equal(files.get('sub/b.txt')?.toString(), 'B');
});
