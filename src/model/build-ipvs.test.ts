import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSnapshot } from '../snapshot/load.js';
import { makeSnapshotDir, removeTempDirs } from '../snapshot/make-snapshot-dir.js';
import { buildNodeModel } from './build.js';

after(removeTempDirs);

test('directory snapshot: ipvsadm-save.txt and ipset-save.txt reach the host model, with positioned diagnostics', async () => {
  const dir = await makeSnapshotDir({
    'ipvsadm-save.txt':
      '-A -t 10.96.0.10:53 -s rr\n-a -t 10.96.0.10:53 -r 10.244.1.3:53 -m -w 1\n-a -t 10.9.9.9:1 -r 1.1.1.1:1 -m\n',
    'ipset-save.txt':
      'create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536\nadd KUBE-CLUSTER-IP 10.96.0.10,udp:53\n',
  });
  const loaded = await loadSnapshot(dir);
  assert.equal(loaded.snapshot.sources['ipvsadm']?.command, 'ipvsadm-save -n');
  assert.equal(loaded.snapshot.sources['ipset']?.command, 'ipset save');
  const m = buildNodeModel(loaded);
  assert.equal(m.host.ipvs?.services[0]?.dests[0]?.addr, '10.244.1.3');
  assert.equal(m.host.ipsets?.sets.get('KUBE-CLUSTER-IP')?.members.length, 1);
  assert.ok(m.host.known.has('ipvsadm') && m.host.known.has('ipset'));
  const d = m.diagnostics.find((x) => x.code === 'UNKNOWN_CHAIN')!;
  assert.equal(d.line, 3);
  assert.match(d.source ?? '', /ipvsadm-save\.txt$/);
});

test('no ipvsadm in the snapshot: the model says IPVS is unknown, not empty', async () => {
  const dir = await makeSnapshotDir({
    'ipvsadm.exitcode': '127\n',
    'ipvsadm.stderr': 'ipvsadm-save: not found\n',
  });
  const m = buildNodeModel(await loadSnapshot(dir));
  assert.equal(m.host.ipvs, undefined);
  assert.equal(m.host.known.has('ipvsadm'), false);
});
