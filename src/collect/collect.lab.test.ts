/**
 * `podpath collect` against real lab nodes (root, Linux): it changes nothing, and it finds
 * the pod namespaces behind cni0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCommand } from './run-command.js';
import { collectInNetns } from './collect-in-netns.js';
import { labAvailability } from '../lab/build/host.js';
import { loadScenario } from '../lab/scenario/load-scenario.js';
import { collectLabNodes } from '../lab/collect-lab.js';
import { withLab } from '../lab/with-lab.js';

const why = labAvailability();
const SKIP = 'needs root: lab tests skipped';

/** What must not change: rule sets of both backends, nftables, net.* sysctls, links, routes, legacy tables. */
async function nodeState(ns: string): Promise<Record<string, string>> {
  const run = async (...args: string[]): Promise<string> => {
    // generous: ipv6 sysctls spin on rtnl_trylock while another namespace is being torn down
    const r = await runCommand('ip', ['netns', 'exec', ns, ...args], { timeoutMs: 120_000 });
    assert.equal(r.exitCode, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  // comments carry the time of the dump, chain counters the background traffic (IGMPv3 reports of new links)
  const noComments = (s: string): string =>
    s
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .map((l) => l.replace(/ \[\d+:\d+\]$/, ' [*]'))
      .join('\n');
  return {
    legacy: noComments(await run('iptables-legacy-save')),
    nft: noComments(await run('iptables-nft-save')),
    legacy6: noComments(await run('ip6tables-legacy-save')),
    ruleset: await run('nft', 'list', 'ruleset'),
    tables: await run('cat', '/proc/net/ip_tables_names'),
    sysctl: (await run('sysctl', '-a'))
      .split('\n')
      .filter((l) => l.startsWith('net.') && !l.startsWith('net.netfilter.nf_conntrack_count'))
      .join('\n'),
    // bridge timers tick on their own; everything else must be identical
    links: (await run('ip', '-d', 'link', 'show')).replace(/(\w+_timer)\s+[\d.]+/g, '$1 *'),
    // IPv6 link-local addresses appear when DAD finishes, seconds after the lab is up, on the
    // kernel's own schedule: their routes are left out; every other route must be identical
    routes: (await run('ip', 'route', 'show', 'table', 'all'))
      .split('\n')
      .filter((l) => !/fe80::/.test(l))
      .join('\n'),
    rules: await run('ip', 'rule', 'show'),
  };
}

/** A fresh lab still changes by itself for a few seconds (IPv6 DAD adds link-local routes): wait until it does not. */
async function settledState(ns: string): Promise<Record<string, string>> {
  let prev = await nodeState(ns);
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await nodeState(ns);
    if (JSON.stringify(now) === JSON.stringify(prev)) return now;
    prev = now;
  }
  return prev;
}

for (const scenario of ['incident', 'incident-nft']) {
  test(`collect is read-only (${scenario}: iptables legacy and nft, nftables, sysctls, links, routes)`, async (t) => {
    if (why) return t.skip(SKIP);
    await withLab(loadScenario(scenario), async (lab) => {
      for (const node of ['node1', 'node2']) {
        const ns = `${lab.prefix}-${node}`;
        const before = await settledState(ns);
        const snap = await collectInNetns(ns, { node });
        const after = await nodeState(ns);
        assert.deepEqual(after, before, `${node} changed`);
        // and the snapshot holds the rules of the backend in use, the other one empty
        const [used, other] = scenario.endsWith('nft')
          ? ['iptables-nft-save', 'iptables-legacy-save']
          : ['iptables-legacy-save', 'iptables-nft-save'];
        assert.match(snap.sources[used]!.stdout, /KUBE-SVC-SFYPIQDA5NATOP5V/);
        assert.doesNotMatch(snap.sources[other]!.stdout, /KUBE-/);
      }
    });
  });
}

test('collect inside a lab node finds its pod namespaces with addresses, routes and listeners', async (t) => {
  if (why) return t.skip(SKIP);
  await withLab(loadScenario('incident'), async (lab) => {
    const snaps = await collectLabNodes(lab.prefix);
    const node1 = snaps.find((s) => s.metadata.node === 'node1')!;
    const node2 = snaps.find((s) => s.metadata.node === 'node2')!;
    assert.ok(node1 && node2);
    assert.match(node1.sources.sysctl!.stdout, /^net\.bridge\.bridge-nf-call-iptables = 0$/m);
    assert.match(node2.sources.sysctl!.stdout, /^net\.bridge\.bridge-nf-call-iptables = 1$/m);
    assert.equal(node1.sources.ipvsadm!.exitCode === 0 || node1.sources.ipvsadm!.exitCode === 127, true);
    const pods1 = (node1.netns ?? []).map((n) => [n.name, n.via, n.pod?.namespace, n.pod?.name]).sort();
    assert.deepEqual(pods1, [
      [`${lab.prefix}-node1-client`, 'named', 'spring-prod', 'client'],
      [`${lab.prefix}-node1-frontend-a`, 'named', 'spring-prod', 'frontend-a'],
    ]);
    assert.deepEqual(
      (node2.netns ?? []).map((n) => n.pod?.name),
      ['frontend-b'],
      'node2 sees only its own pod',
    );
    const fa = node1.netns!.find((n) => n.pod?.name === 'frontend-a')!;
    const addrs = JSON.parse(fa.sources['ip-addr']!.stdout) as {
      ifname: string;
      addr_info: { local: string; prefixlen: number }[];
    }[];
    assert.ok(
      addrs.some(
        (l) =>
          l.ifname === 'eth0' && l.addr_info.some((a) => a.local === '10.224.1.56' && a.prefixlen === 24),
      ),
    );
    const routes = JSON.parse(fa.sources['ip-route']!.stdout) as { dst: string; gateway?: string }[];
    assert.ok(routes.some((r) => r.dst === 'default' && r.gateway === '10.224.1.1'));
    assert.match(fa.sources['ss-listen']!.stdout, /0\.0\.0\.0:8080/);
  });
});
