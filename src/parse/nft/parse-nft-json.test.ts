import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseNftJson } from './index.js';
import { readNftFixture } from './read-fixture.js';
import { assertPositioned, fuzzParser } from '../testing/fuzz.js';

const golden = readNftFixture('kube-proxy-golden.json');

test('kube-proxy golden: tables, base chains with hooks and priorities, sets and verdict maps', () => {
  const r = parseNftJson(golden);
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.value.version, '1.0.6');
  const t = r.value.tables[0]!;
  assert.equal(`${t.family} ${t.name}`, 'ip kube-proxy');
  const pre = t.chains.get('nat-prerouting')!;
  assert.deepEqual(pre.base, { type: 'nat', hook: 'prerouting', priority: -100, policy: 'accept' });
  assert.equal(t.chains.get('filter-prerouting-pre-dnat')!.base!.priority, -110);
  assert.equal(t.chains.get('services')!.base, undefined);
  const svc = t.sets.get('service-ips')!;
  assert.equal(svc.kind, 'map');
  assert.equal(svc.map, 'verdict');
  assert.deepEqual(svc.type, ['ipv4_addr', 'inet_proto', 'inet_service']);
  const e = svc.elements.find((x) => JSON.stringify(x.key).includes('172.30.0.41'))!;
  assert.deepEqual(e.key, { concat: ['172.30.0.41', 'tcp', 80] });
  assert.deepEqual(e.value, { goto: { target: 'service-ULMVA6XW-ns1/svc1/tcp/p80' } });
  const noEp = t.sets.get('no-endpoint-services')!.elements;
  assert.equal(noEp[0]!.comment, 'ns2/svc2:p80');
  assert.deepEqual(noEp[0]!.key, { concat: ['1.2.3.4', 'tcp', 80] });
  const lb = t.chains.get('service-LAUZTJTB-ns4/svc4/tcp/p80')!.rules[1]!;
  assert.match(lb.text, /^numgen random mod 2 vmap \{ 0 : goto endpoint-UNZV3OEC/);
  assert.ok(lb.item > 1 && lb.path === `/nftables/${lb.item - 1}/rule`);
  assert.equal(
    t.chains.get('cluster-ips-check')!.rules[0]!.comment,
    'Reject traffic to invalid ports of ClusterIPs',
  );
});

test('priority names with offsets, per family', () => {
  const doc = (family: string, prio: unknown) =>
    JSON.stringify({
      nftables: [
        { table: { family, name: 't' } },
        {
          chain: { family, table: 't', name: 'c', type: 'filter', hook: 'prerouting', prio, policy: 'drop' },
        },
      ],
    });
  const prio = (family: string, p: unknown) =>
    parseNftJson(doc(family, p)).value.tables[0]?.chains.get('c')?.base?.priority;
  assert.equal(prio('inet', 'dstnat'), -100);
  assert.equal(prio('ip', 'filter - 10'), -10);
  assert.equal(prio('ip', 'raw+5'), -295);
  assert.equal(prio('bridge', 'dstnat'), -300);
  assert.equal(prio('bridge', 'filter'), -200);
  const bad = parseNftJson(doc('ip', 'sideways'));
  assert.equal(bad.diagnostics[0]!.code, 'BAD_VALUE');
  assert.match(bad.diagnostics[0]!.message, /^\/nftables\/1\/chain\/prio:/);
});

test('diagnostics name the JSON pointer and the line/column of the offending value', () => {
  const text = [
    '{"nftables": [',
    ' {"table": {"family": "ip", "name": "t"}},',
    ' {"chain": {"family": "ip", "table": "t", "name": "c", "type": "filter", "hook": "sideways", "prio": 0}},',
    ' {"rule": {"family": "ip", "table": "t", "chain": "nope", "expr": []}},',
    ' {"table": {"family": "decnet", "name": "u"}},',
    ' {"rule": {"family": "ip", "table": "t", "chain": "d", "expr": [{"frobnicate": 1}]}},',
    ' {"chain": {"family": "ip", "table": "t", "name": "d"}}',
    ']}',
  ].join('\n');
  const r = parseNftJson(text);
  const by = (code: string) => r.diagnostics.filter((d) => d.code === code);
  const hook = r.diagnostics.find((d) => d.message.startsWith('/nftables/1/chain/hook'))!;
  assert.equal(hook.line, 3);
  assert.equal(hook.column, text.split('\n')[2]!.indexOf('"sideways"') + 1);
  assert.equal(by('UNKNOWN_CHAIN')[0]!.line, 4);
  const fam = r.diagnostics.find((d) => d.message.startsWith('/nftables/3/table/family'))!;
  assert.equal(fam.line, 5);
  const un = by('UNSUPPORTED')[0]!;
  assert.equal(un.line, 6);
  assert.match(un.message, /frobnicate/);
  // the good parts are kept: chain d and its rule
  assert.equal(r.value.tables[0]!.chains.get('d')!.rules.length, 1);
  assertPositioned(r.diagnostics, text);
});

test('bad input: empty, the text form, broken JSON', () => {
  assert.equal(parseNftJson('').diagnostics[0]!.code, 'EMPTY');
  assert.equal(parseNftJson('table ip filter {\n}\n').diagnostics[0]!.code, 'WRONG_FORMAT');
  const cut = parseNftJson(golden.slice(0, 500));
  assert.equal(cut.diagnostics[0]!.code, 'UNEXPECTED_EOF');
  assert.equal(cut.value.tables.length, 0);
});

test('fuzz parseNftJson: random and mutated text never throws, diagnostics positioned', () => {
  fuzzParser(
    parseNftJson,
    [
      golden,
      readNftFixture('kube-proxy-golden-with-iptables-nft.json'),
      readNftFixture('k3s-kube-proxy.json'),
    ],
    200,
  );
});

test('fuzz parseNftJson: structurally random documents never throw', () => {
  const base = JSON.parse(golden) as { nftables: unknown[] };
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(), fc.jsonValue({ maxDepth: 4 })), { maxLength: 6 }),
      fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 4 }),
      (edits, extra) => {
        const doc = structuredClone(base);
        for (const [i, v] of edits) {
          const item = doc.nftables[i % doc.nftables.length] as Record<string, Record<string, unknown>>;
          const kind = Object.keys(item)[0]!;
          const keys = Object.keys(item[kind]!);
          item[kind]![keys[i % keys.length]!] = v;
        }
        doc.nftables.push(...extra);
        const text = JSON.stringify(doc, null, i2(edits.length));
        const r = parseNftJson(text);
        assertPositioned(r.diagnostics, text);
      },
    ),
    { numRuns: 150 },
  );
});

function i2(n: number): number | undefined {
  return n % 2 === 0 ? 1 : undefined;
}
