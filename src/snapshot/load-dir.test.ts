import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadSnapshot, loadSnapshots } from './load.js';
import { SnapshotError } from './snapshot-error.js';
import { makeSnapshotDir, removeTempDirs, SAMPLE_FILES } from './make-snapshot-dir.js';

after(removeTempDirs);

async function fails(p: Promise<unknown>, check: (e: SnapshotError) => void): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof SnapshotError, `not a SnapshotError: ${String(e)}`);
    check(e);
    return true;
  });
}

test('directory: sources by file name, implied commands, node from hostname.txt, pods from netns/', async () => {
  const dir = await makeSnapshotDir();
  const { snapshot, sourceFiles, origin } = await loadSnapshot(dir);
  assert.equal(origin, dir);
  assert.equal(snapshot.metadata.node, 'k8s-worker');
  assert.equal(snapshot.metadata.kernel, '6.1.0-18-amd64');
  assert.deepEqual(Object.keys(snapshot.sources).sort(), [
    'hostname',
    'ip-route',
    'iptables-save',
    'nft-ruleset',
    'resolv-conf',
    'ss',
    'sysctl',
    'uname',
  ]);
  assert.deepEqual(snapshot.sources.sysctl, {
    command: 'sysctl -a',
    exitCode: 0,
    stdout: SAMPLE_FILES['sysctl.txt'],
  });
  assert.equal(snapshot.sources['ip-route']?.command, 'ip -j -d route show table all');
  assert.equal(snapshot.sources['iptables-save']?.command, 'iptables-save');
  assert.equal(snapshot.sources['resolv-conf']?.command, 'cat /etc/resolv.conf');
  assert.equal(snapshot.sources.ss?.command, 'cat ss.txt');
  assert.deepEqual(snapshot.sources['nft-ruleset'], {
    command: 'nft -j list ruleset',
    exitCode: 127,
    stdout: '',
    stderr: 'sh: nft: not found\n',
  });
  assert.deepEqual(snapshot.netns, [
    {
      name: 'cni-1',
      pod: { namespace: 'default', name: 'client' },
      sources: { 'ip-addr': { command: 'ip -j -d addr show', exitCode: 0, stdout: '[]\n' } },
    },
    {
      name: 'cni-2',
      sources: {
        'ip-route': {
          command: 'ip -d route show table all',
          exitCode: 0,
          stdout: 'default via 10.244.1.1 dev eth0\n',
        },
      },
    },
  ]);
  assert.equal(sourceFiles.sysctl, join(dir, 'sysctl.txt'));
  assert.equal(sourceFiles['resolv-conf'], join(dir, 'resolv.conf'));
  assert.equal(sourceFiles['netns/cni-2/ip-route'], join(dir, 'netns/cni-2/ip-route.txt'));
});

test('directory: node name precedence metadata.json > hostname.txt > folder name; missing files are no error', async () => {
  const withMeta = await makeSnapshotDir({
    ...SAMPLE_FILES,
    'metadata.json': '{ "node": "worker-1", "collector": "collect.sh 1" }',
  });
  const m = (await loadSnapshot(withMeta)).snapshot.metadata;
  assert.deepEqual(m, { node: 'worker-1', collector: 'collect.sh 1', kernel: '6.1.0-18-amd64' });
  const bare = await makeSnapshotDir({ 'sysctl.txt': 'a = 1\n' }, 'node-7');
  const b = (await loadSnapshot(bare)).snapshot;
  assert.equal(b.metadata.node, 'node-7');
  assert.deepEqual(Object.keys(b.sources), ['sysctl']);
  assert.equal(b.netns, undefined);
  const empty = await makeSnapshotDir({}, 'empty-node');
  assert.deepEqual((await loadSnapshot(empty)).snapshot.sources, {});
});

test('directory: errors name the file and line', async () => {
  const twice = await makeSnapshotDir({ 'ip-route.json': '[]', 'ip-route.txt': '' });
  await fails(loadSnapshot(twice), (e) =>
    assert.match(e.message, /ip-route.txt: two files for source "ip-route": ip-route.json and ip-route.txt/),
  );
  const badMeta = await makeSnapshotDir({ 'metadata.json': '{\n  "node": "x",\n  "kernel": 6\n' });
  await fails(loadSnapshot(badMeta), (e) => {
    assert.deepEqual([e.file, e.line, e.column], [join(badMeta, 'metadata.json'), 4, 1]);
    assert.ok(e.message.startsWith(`${join(badMeta, 'metadata.json')}:4:1: invalid JSON`), e.message);
  });
  const badKernel = await makeSnapshotDir({ 'metadata.json': '{ "node": "x", "kernel": 6 }' });
  await fails(loadSnapshot(badKernel), (e) =>
    assert.match(e.message, /metadata.json: "kernel" must be a string/),
  );
  const badPod = await makeSnapshotDir({ 'netns/a/pod.json': '{ "namespace": 1 }' });
  await fails(loadSnapshot(badPod), (e) => assert.equal(e.file, join(badPod, 'netns/a/pod.json')));
  const badExit = await makeSnapshotDir({ 'ipset.exitcode': 'oops' });
  await fails(loadSnapshot(badExit), (e) =>
    assert.ok(e.message.startsWith(`${join(badExit, 'ipset.exitcode')}:1:1:`), e.message),
  );
});

test('loadSnapshots: several nodes; the same node twice is an error', async () => {
  const a = await makeSnapshotDir({ 'hostname.txt': 'node-a\n' });
  const b = await makeSnapshotDir({ 'hostname.txt': 'node-b\n' });
  const both = await loadSnapshots([a, b]);
  assert.deepEqual(
    both.map((l) => l.snapshot.metadata.node),
    ['node-a', 'node-b'],
  );
  const a2 = await makeSnapshotDir({ 'hostname.txt': 'node-a\n' });
  await fails(loadSnapshots([a, a2]), (e) => {
    assert.equal(e.file, a2);
    assert.match(e.message, /node "node-a" is also the node of/);
  });
});
