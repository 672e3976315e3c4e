import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSnapshot, parseSnapshotJson } from './load.js';
import { SnapshotError } from './snapshot-error.js';
import { makeTempDir, removeTempDirs } from './make-snapshot-dir.js';
import { fixturePath } from './read-fixture.js';

after(removeTempDirs);

async function fails(
  p: Promise<unknown> | (() => unknown),
  check: (e: SnapshotError) => void,
): Promise<void> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    assert.ok(e instanceof SnapshotError, `not a SnapshotError: ${String(e)}`);
    check(e);
    return;
  }
  assert.fail('expected a SnapshotError');
}

const base = JSON.parse(await readFile(fixturePath('node1.json'), 'utf8')) as Record<string, unknown>;
/** the fixture pretty-printed with the value at `path` set (or deleted), so errors have lines to point at */
const variant = (path: (string | number)[], value?: unknown) => {
  const d = structuredClone(base);
  let o = d as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete o[last];
  else o[last] = value;
  return JSON.stringify(d, null, 2);
};
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

test('a valid JSON snapshot loads, with a pointer into the file for every source', async () => {
  const file = fixturePath('node1.json');
  const l = await loadSnapshot(file);
  assert.equal(l.origin, file);
  assert.equal(l.snapshot.metadata.node, 'node1');
  assert.deepEqual(Object.keys(l.snapshot.sources), ['sysctl', 'iptables-legacy-save', 'ipvsadm']);
  assert.equal(l.snapshot.sources.ipvsadm?.exitCode, 127);
  assert.deepEqual(l.snapshot.netns?.[0]?.pod, { namespace: 'default', name: 'client' });
  assert.deepEqual(l.sourceFiles, {
    sysctl: `${file}#sources.sysctl`,
    'iptables-legacy-save': `${file}#sources.iptables-legacy-save`,
    ipvsadm: `${file}#sources.ipvsadm`,
    'netns/cni-39f9a178/ip-addr': `${file}#netns[0].sources.ip-addr`,
  });
});

test('JSON syntax errors name file:line:col', async () => {
  const dir = await makeTempDir();
  const file = join(dir, 'bad.json');
  await writeFile(file, '{\n  "apiVersion": "podpath/v1",\n  "kind": "NodeSnapshot"\n  "metadata": {}\n}\n');
  await fails(loadSnapshot(file), (e) => {
    assert.deepEqual([e.file, e.line, e.column], [file, 4, 3]);
    assert.ok(e.message.startsWith(`${file}:4:3: invalid JSON`), e.message);
  });
  await fails(
    () => parseSnapshotJson('', 'empty.json'),
    (e) => assert.deepEqual([e.line, e.column], [1, 1]),
  );
  await fails(
    () => parseSnapshotJson('hello', 'x'),
    (e) => assert.match(e.message, /^x:1:1: not a snapshot/),
  );
});

test('schema errors name the JSON pointer and the line of the value', async () => {
  const t1 = variant(['sources', 'sysctl', 'exitCode'], 'zero');
  await fails(
    () => parseSnapshotJson(t1, 's.json'),
    (e) => {
      assert.equal(e.line, lineOf(t1, '"exitCode": "zero"'));
      assert.match(e.message, /\/sources\/sysctl\/exitCode must be integer/);
      assert.ok(e.message.startsWith(`s.json:${e.line}:`));
    },
  );
  const t2 = variant(['metadata', 'node']);
  await fails(
    () => parseSnapshotJson(t2, 's.json'),
    (e) => {
      assert.match(e.message, /\/metadata: missing property "node"/);
      assert.equal(e.line, lineOf(t2, '"metadata"'));
    },
  );
  const t3 = variant(['kind'], 'PodSnapshot');
  await fails(
    () => parseSnapshotJson(t3, 's.json'),
    (e) => assert.match(e.message, /\/kind must be "NodeSnapshot"/),
  );
  const t4 = variant(['sources', 'Bad Id'], { command: 'x', exitCode: 0, stdout: '' });
  await fails(
    () => parseSnapshotJson(t4, 's.json'),
    (e) => {
      assert.match(e.message, /\/sources: bad source id "Bad Id"/);
      assert.equal(e.line, lineOf(t4, '"Bad Id"'));
    },
  );
  const t5 = variant(['netns', 0, 'sources', 'ip-addr', 'stdout']);
  await fails(
    () => parseSnapshotJson(t5, 's.json'),
    (e) => {
      assert.match(e.message, /\/netns\/0\/sources\/ip-addr: missing property "stdout"/);
      assert.equal(e.line, lineOf(t5, '"ip-addr"'));
    },
  );
  await fails(
    () => parseSnapshotJson('[1]', 's.json'),
    (e) => assert.match(e.message, /\/ must be object/),
  );
});

test('versions: a newer apiVersion says so; an unknown one is named', async () => {
  const v2 = variant(['apiVersion'], 'podpath/v2');
  await fails(
    () => parseSnapshotJson(v2, 'n.json'),
    (e) => {
      assert.match(e.message, /podpath\/v2 is newer than this podpath understands/);
      assert.equal(e.line, lineOf(v2, '"apiVersion"'));
    },
  );
  await fails(
    () => parseSnapshotJson(variant(['apiVersion'], 'v1'), 'n.json'),
    (e) => assert.match(e.message, /unknown apiVersion "v1"/),
  );
  await fails(
    () => parseSnapshotJson(variant(['apiVersion']), 'n.json'),
    (e) => assert.match(e.message, /missing property "apiVersion"/),
  );
});

test('an unreadable path is a SnapshotError naming it', async () => {
  await fails(loadSnapshot('/nonexistent/ppB/snap.json'), (e) => {
    assert.equal(e.file, '/nonexistent/ppB/snap.json');
    assert.match(e.message, /^\/nonexistent\/ppB\/snap.json: cannot read: no such file or directory/);
  });
});
