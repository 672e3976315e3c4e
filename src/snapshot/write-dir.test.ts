import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSnapshot } from './load.js';
import { writeSnapshotDir } from './write-dir.js';
import { makeTempDir, removeTempDirs } from './make-snapshot-dir.js';
import { fixturePath } from './read-fixture.js';
import type { NodeSnapshot } from './types.js';

after(removeTempDirs);

test('writeSnapshotDir then loadSnapshot gives the same snapshot (JSON fixture round trip)', async () => {
  const original = (await loadSnapshot(fixturePath('node1.json'))).snapshot;
  const dir = join(await makeTempDir(), 'out');
  await writeSnapshotDir(original, dir);
  assert.deepEqual((await readdir(dir)).sort(), [
    'iptables-legacy-save.txt',
    'ipvsadm.exitcode',
    'ipvsadm.stderr',
    'ipvsadm.txt',
    'metadata.json',
    'netns',
    'sysctl.txt',
  ]);
  const back = (await loadSnapshot(dir)).snapshot;
  // durationMs and `via` are not kept by the directory form
  const expected = structuredClone(original) as NodeSnapshot;
  delete expected.sources.sysctl!.durationMs;
  delete expected.netns![0]!.via;
  assert.deepEqual(back, expected);
});

test('writeSnapshotDir: JSON sources as .json, custom commands kept in metadata.json', async () => {
  const snap: NodeSnapshot = {
    apiVersion: 'podpath/v1',
    kind: 'NodeSnapshot',
    metadata: { node: 'n1' },
    sources: {
      'ip-route': { command: 'ip -j -d route show table all', exitCode: 0, stdout: '[]\n' },
      sysctl: {
        command: 'cat /proc/sys/net/ipv4/ip_forward',
        exitCode: 0,
        stdout: 'net.ipv4.ip_forward = 1\n',
      },
    },
    netns: [{ name: 'p', sources: { 'ip-route': { command: 'ip -j route', exitCode: 0, stdout: '[]' } } }],
  };
  const dir = join(await makeTempDir(), 'n1');
  await writeSnapshotDir(snap, dir);
  const meta = JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8'));
  assert.deepEqual(meta, {
    node: 'n1',
    commands: { sysctl: 'cat /proc/sys/net/ipv4/ip_forward', 'netns/p/ip-route': 'ip -j route' },
  });
  assert.equal(await readFile(join(dir, 'ip-route.json'), 'utf8'), '[]\n');
  assert.deepEqual((await loadSnapshot(dir)).snapshot, snap);
});
