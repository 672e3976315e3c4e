import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { realCorpusDir } from '../../snapshot/repo-root.js';
import { parseIpAddrText } from './parse-ip-addr-text.js';
import { parseIpRouteText } from './parse-ip-route-text.js';
import { parseIpNeighText } from './parse-ip-neigh-text.js';
import { parseBridgeFdbText } from './parse-bridge-fdb-text.js';
import { parseIpRuleText } from './parse-ip-rule-text.js';

const dir = realCorpusDir(import.meta.url);
const FLANNEL =
  'electrocucaracha-k8s-NetworkingDeepDive-demo__flannel-README.md__kind-flannel-ipvs-node-state.log';
const K3S = 'ddanielgal-ytdl__research.md@7521438__k3s-pi__ip-addr-route-rule.txt';
const skip = existsSync(join(dir, FLANNEL)) ? false : `corpus not found at ${dir}`;

/**
 * The command output under the first `INFO: <title>` heading (after `after`), without the
 * kubectl-debug chatter, up to the next blank line or `=== node ===` banner.
 */
function block(file: string, title: string, after = ''): string {
  const lines = readFileSync(join(dir, file), 'utf8').split('\n');
  let i = after ? lines.findIndex((l) => l.includes(after)) : 0;
  i = lines.findIndex((l, k) => k > i && l.includes(title));
  assert.ok(i >= 0, `no ${title} in ${file}`);
  const out: string[] = [];
  for (let k = i + 1; k < lines.length && lines[k]!.trim() !== '' && !lines[k]!.startsWith('==='); k++) {
    if (!lines[k]!.startsWith('Creating debugging pod')) out.push(lines[k]!);
  }
  return out.join('\n');
}

test('flannel corpus, k8s-worker: ip -4 addr', { skip }, () => {
  const r = parseIpAddrText(block(FLANNEL, 'INFO: Network IPv4 addresses'));
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(
    r.value.map((a) => `${a.ifname} ${a.local}/${a.prefixlen} ${a.scope}`),
    [
      'lo 127.0.0.1/8 host',
      'kube-ipvs0 10.96.0.10/32 global',
      'kube-ipvs0 10.96.0.1/32 global',
      'flannel.1 10.244.2.0/32 global',
      'eth0 172.80.0.4/24 global',
    ],
  );
});

test('flannel corpus, k8s-worker: routes to the other nodes go onlink through flannel.1', { skip }, () => {
  const r = parseIpRouteText(block(FLANNEL, 'INFO: Network routes'));
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.value, [
    {
      table: 'main',
      type: 'unicast',
      dst: 'default',
      family: 'inet',
      gateway: '172.80.0.1',
      dev: 'eth0',
      flags: [],
      line: 1,
    },
    {
      table: 'main',
      type: 'unicast',
      dst: '10.244.0.0/24',
      family: 'inet',
      gateway: '10.244.0.0',
      dev: 'flannel.1',
      flags: ['onlink'],
      line: 2,
    },
    {
      table: 'main',
      type: 'unicast',
      dst: '10.244.1.0/24',
      family: 'inet',
      gateway: '10.244.1.0',
      dev: 'flannel.1',
      flags: ['onlink'],
      line: 3,
    },
    {
      table: 'main',
      type: 'unicast',
      dst: '172.80.0.0/24',
      family: 'inet',
      dev: 'eth0',
      protocol: 'kernel',
      scope: 'link',
      prefsrc: '172.80.0.4',
      flags: [],
      line: 4,
    },
  ]);
  const cni = parseIpRouteText(block(FLANNEL, 'INFO: cni0 network routes'));
  assert.deepEqual(
    cni.value.map((x) => [x.dst, x.dev, x.prefsrc]),
    [['10.244.2.0/24', 'cni0', '10.244.2.1']],
  );
});

test('flannel corpus, k8s-worker: ARP entries of the peer VTEPs are PERMANENT', { skip }, () => {
  const r = parseIpNeighText(block(FLANNEL, 'INFO: ARP cache entries'));
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(
    r.value.map((n) => [n.dst, n.dev, n.lladdr, n.state.join()]),
    [
      ['10.244.0.0', 'flannel.1', 'e6:7d:c5:e2:80:1a', 'PERMANENT'],
      ['10.244.1.0', 'flannel.1', '3a:bb:55:60:be:4e', 'PERMANENT'],
      ['172.80.0.2', 'eth0', '02:42:ac:50:00:02', 'REACHABLE'],
    ],
  );
});

test(
  'flannel corpus: FDB of flannel.1 (bridge fdb show dev flannel.1) maps VTEP MACs to node IPs',
  { skip },
  () => {
    const r = parseBridgeFdbText(block(FLANNEL, 'INFO: Forwarding Database entries of flannel.1'), {
      dev: 'flannel.1',
    });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.value, [
      {
        mac: 'e6:7d:c5:e2:80:1a',
        ifname: 'flannel.1',
        dst: '172.80.0.2',
        state: 'permanent',
        flags: ['self'],
        line: 1,
      },
      {
        mac: '3a:bb:55:60:be:4e',
        ifname: 'flannel.1',
        dst: '172.80.0.3',
        state: 'permanent',
        flags: ['self'],
        line: 2,
      },
    ]);
    // the same block without the option: entries kept, the missing dev said
    assert.deepEqual(
      parseBridgeFdbText(block(FLANNEL, 'INFO: Forwarding Database entries of flannel.1')).diagnostics.map(
        (d) => d.code,
      ),
      ['SYNTAX', 'SYNTAX'],
    );
  },
);

test('flannel corpus, k8s-worker2 blocks parse too', { skip }, () => {
  const after = '=== k8s-worker2 Worker node info ===';
  const routes = parseIpRouteText(block(FLANNEL, 'INFO: Network routes', after));
  assert.deepEqual(
    routes.value.filter((x) => x.dev === 'flannel.1').map((x) => x.dst),
    ['10.244.0.0/24', '10.244.2.0/24'],
  );
  const addrs = parseIpAddrText(block(FLANNEL, 'INFO: Network IPv4 addresses', after));
  assert.equal(addrs.value.find((a) => a.ifname === 'eth0')?.local, '172.80.0.3');
});

test(
  'k3s corpus: ip -br addr, ip route show table main, ip rule show',
  { skip: existsSync(join(dir, K3S)) ? false : 'no k3s corpus' },
  () => {
    const text = readFileSync(join(dir, K3S), 'utf8');
    const section = (cmd: string) => {
      const lines = text.split('\n');
      const i = lines.findIndex((l) => l.endsWith(`$ ${cmd}`));
      const end = lines.findIndex((l, k) => k > i && l.trim() === '');
      return lines.slice(i + 1, end < 0 ? undefined : end).join('\n');
    };
    const addrs = parseIpAddrText(section('ip -br addr'));
    assert.deepEqual(addrs.diagnostics, []);
    assert.deepEqual(
      addrs.value.filter((a) => a.ifname === 'eth0').map((a) => `${a.local}/${a.prefixlen}`),
      ['192.168.1.105/24', '2001:4c4e:24ea:ab00:da3a:ddff:fe34:59fc/64', 'fe80::da3a:ddff:fe34:59fc/64'],
    );
    assert.equal(addrs.value.find((a) => a.ifname === 'veth3ca3de11')?.family, 'inet6');
    const routes = parseIpRouteText(section('ip route show table main'));
    assert.deepEqual(routes.diagnostics, []);
    assert.deepEqual(
      routes.value.map((r) => r.dst),
      ['default', '10.42.0.0/24', '100.90.0.0/16', '192.168.1.0/24', '192.168.1.1/32'],
    );
    assert.equal(routes.value[0]?.metric, 100);
    const rules = parseIpRuleText(section('ip rule show'));
    assert.deepEqual(
      rules.value.map((r) => [r.priority, r.not, r.src, r.table, r.fwmark?.value]),
      [
        [0, false, 'all', 'local', undefined],
        [105, false, 'all', 'main', undefined],
        [110, true, 'all', 'netbird', 0x1bd00],
        [32766, false, 'all', 'main', undefined],
        [32767, false, 'all', 'default', undefined],
      ],
    );
    // suppress_prefixlength changes the lookup: kept, said unsupported
    assert.deepEqual(
      rules.diagnostics.map((d) => [d.code, d.line]),
      [['UNSUPPORTED', 2]],
    );
  },
);
