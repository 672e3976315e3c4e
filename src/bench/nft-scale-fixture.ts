/**
 * @module bench/nft-scale-fixture
 * The nftables-mode twin of sim/scale-fixture: the bundled two-node example with kube-proxy's
 * iptables rules removed (flannel's stay) and a kube-proxy nftables table of any size, written
 * by the lab generator (lab/rules/kube-proxy-nft) for a synthetic scenario with the same
 * ClusterIPs and endpoint addresses as the iptables fixture. The `nft-ruleset` source is what
 * a node prints: the text is loaded with `nft -f` in a scratch namespace `ppB<random>` (always
 * deleted) and read back with `nft -j list ruleset`.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { NodeSnapshot } from '../snapshot/types.js';
import type { PodSpec, Scenario, ServiceSpec } from '../lab/scenario/types.js';
import { kubeProxyNft } from '../lab/rules/kube-proxy-nft.js';
import { fixtureServiceIp } from '../parse/iptables-save/kube-proxy-fixture.js';
import { scaleEndpointIp } from '../sim/scale-fixture.js';
import { exampleSnapshots } from '../sim/testing.js';

/** A scenario with `services` ClusterIP Services (tcp 80 -> 8080) of `endpoints` pods each. */
export function scaleScenario(services: number, endpoints: number): Scenario {
  const pods = new Map<string, PodSpec>();
  const svcs: ServiceSpec[] = [];
  for (let s = 0; s < services; s++) {
    const refs: string[] = [];
    for (let k = 0; k < endpoints; k++) {
      const ip = scaleEndpointIp(s * endpoints + k);
      const name = `ep-${ip.replace(/\./g, '-')}`;
      if (!pods.has(name))
        pods.set(name, {
          name,
          namespace: 'default',
          node: ip.startsWith('10.224.1.') ? 'node1' : 'node2',
          ip,
          listeners: [{ proto: 'tcp', port: 8080 }],
        });
      refs.push(`default/${name}`);
    }
    svcs.push({
      namespace: 'default',
      name: `svc-${String(s).padStart(6, '0')}`,
      clusterIP: fixtureServiceIp(s),
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'tcp' }],
      endpoints: refs,
      sessionAffinity: 'None',
    });
  }
  return {
    name: `scale-${services}x${endpoints}`,
    description: 'generated for the scale bench',
    expectChecks: [],
    iptablesBackend: 'legacy',
    proxyMode: 'nftables',
    cluster: {
      clusterCIDR: '10.224.0.0/16',
      serviceCIDR: '10.96.0.0/12',
      underlayCIDR: '192.168.56.0/24',
      nodeMtu: 1500,
      fabricMtu: 1500,
      faults: {},
      servicesWithoutEndpoints: [],
    },
    nodes: [
      { name: 'node1', podCIDR: '10.224.1.0/24', underlayIP: '192.168.56.11', faults: {} },
      { name: 'node2', podCIDR: '10.224.2.0/24', underlayIP: '192.168.56.12', faults: {} },
    ],
    pods: [...pods.values()],
    services: svcs,
    flows: [],
  };
}

/** The `nft -f` text of one node's kube-proxy table. */
export function scaleNftText(services: number, endpoints: number, node = 0): string {
  const sc = scaleScenario(services, endpoints);
  return kubeProxyNft(sc, sc.nodes[node]!);
}

/** Runs `nft` with `args` inside a fresh scratch namespace (always deleted); stdin optional. */
export function nftInScratchNs(
  steps: { args: string[]; input?: string }[],
): { ok: true; stdout: string[] } | { ok: false; error: string } {
  const ns = `ppB${randomBytes(4).toString('hex')}`;
  const add = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
  if (add.status !== 0) return { ok: false, error: `ip netns add ${ns}: ${add.stderr.trim()}` };
  try {
    const out: string[] = [];
    for (const st of steps) {
      const r = spawnSync('ip', ['netns', 'exec', ns, 'nft', ...st.args], {
        input: st.input,
        encoding: 'utf8',
        maxBuffer: 1 << 30,
      });
      if (r.status !== 0)
        return {
          ok: false,
          error: `nft ${st.args.join(' ')}: exit ${r.status}: ${r.stderr.trim().slice(0, 300)}`,
        };
      out.push(r.stdout);
    }
    return { ok: true, stdout: out };
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
}

/** Loads `text` with `nft -f -` in a scratch namespace and returns `nft -j list ruleset`. */
export function kernelNftJson(text: string): { ok: true; json: string } | { ok: false; error: string } {
  const r = nftInScratchNs([{ args: ['-f', '-'], input: text }, { args: ['-j', 'list', 'ruleset'] }]);
  return r.ok ? { ok: true, json: r.stdout[1]! } : r;
}

/** Drops kube-proxy's iptables rules and chains from an iptables-save text (flannel's stay). */
export function withoutKubeIptables(text: string): string {
  return text
    .split('\n')
    .filter((l) => !l.includes('KUBE-'))
    .join('\n');
}

/** The two example snapshots in nftables mode; `json[i]` is node i's `nft -j list ruleset`. */
export function nftScaleSnapshots(json: string[]): NodeSnapshot[] {
  const snaps = exampleSnapshots();
  snaps.forEach((s, i) => {
    for (const k of ['iptables-legacy-save', 'iptables-nft-save'] as const) {
      const src = s.sources[k];
      if (src) src.stdout = withoutKubeIptables(src.stdout);
    }
    s.sources['nft-ruleset'] = { command: 'nft -j list ruleset', exitCode: 0, stdout: json[i]! };
  });
  return snaps;
}
