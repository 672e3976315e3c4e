/**
 * @module checks/rp-filter-strict-asymmetric
 * FM-11: with rp_filter = 1 (strict), fib_validate_source drops a packet whose reverse route
 * does not leave by the interface it arrived on. The effective value per interface is
 * max(conf.all.rp_filter, conf.<if>.rp_filter). Flagged only where traffic can be
 * asymmetric: several uplinks, policy routing, tunnels; a tunnel alone is info while node
 * traffic into it is masqueraded (the lab shows such paths symmetric), warning when not.
 */
import type { NodeModel } from '../model/node.js';
import type { Check, Evidence } from './types.js';
import { finding, needAll, sourceOf, sysctlEvidence, sysctlInt } from './util.js';
import { podBridges } from './topology.js';
import { nodeTrafficMasqueraded, rulesets } from './rules.js';

/** max(all, iface) as the kernel computes IN_DEV_RPFILTER */
export function effectiveRpFilter(node: NodeModel, ifname: string): number | undefined {
  const all = sysctlInt(node, 'net.ipv4.conf.all.rp_filter');
  const dev = sysctlInt(node, `net.ipv4.conf.${ifname}.rp_filter`);
  if (all === undefined && dev === undefined) return undefined;
  return Math.max(all ?? 0, dev ?? 0);
}

const DEFAULT_TABLES = new Set(['main', 'local', 'default', '254', '255', '253']);

function asymmetryReasons(node: NodeModel): {
  reasons: string[];
  tunnels: Set<string>;
  uplinks: Set<string>;
} {
  const reasons: string[] = [];
  const podSide = new Set<string>();
  for (const b of podBridges(node)) {
    podSide.add(b.bridge.name);
    for (const p of b.ports) podSide.add(p.name);
  }
  const uplinks = node.host.links.filter(
    (l) =>
      !['lo', 'kube-ipvs0'].includes(l.name) &&
      !l.kind &&
      !podSide.has(l.name) &&
      node.host.addrs.some(
        (a) => a.ifname === l.name && a.family === 'inet' && a.scope !== 'host' && a.scope !== 'link',
      ),
  );
  if (uplinks.length > 1)
    reasons.push(`${uplinks.length} uplinks with IPv4 addresses (${uplinks.map((l) => l.name).join(', ')})`);
  const defaults = node.host.routes.filter(
    (r) => r.dst === 'default' && r.family === 'inet' && r.table === 'main',
  );
  if (defaults.length > 1) reasons.push(`${defaults.length} default routes`);
  const policy = node.host.rules.filter(
    (r) => r.family === 'inet' && r.table && !DEFAULT_TABLES.has(r.table),
  );
  if (policy.length > 0)
    reasons.push(
      `${policy.length} policy routing rule(s) (e.g. priority ${policy[0]!.priority} lookup ${policy[0]!.table})`,
    );
  const tunnels = new Set(
    node.host.links
      .filter((l) => ['ipip', 'vxlan', 'wireguard', 'gre', 'geneve'].includes(l.kind ?? ''))
      .map((l) => l.name),
  );
  return { reasons, tunnels, uplinks: new Set(uplinks.map((l) => l.name)) };
}

export const check: Check = {
  id: 'rp-filter-strict-asymmetric',
  severity: 'warning',
  title: 'strict reverse-path filtering (rp_filter = 1) where traffic can be asymmetric',
  fm: ['FM-11'],
  missing: (node) => needAll(node, 'sysctl', 'ip-link'),
  run(node) {
    const { reasons, tunnels, uplinks } = asymmetryReasons(node);
    // pod veths and bridges are symmetric by construction (strict RPF there is anti-spoofing,
    // Calico sets it on purpose): look at the uplinks and the tunnels
    const strict = node.host.links.filter(
      (l) => (uplinks.has(l.name) || tunnels.has(l.name)) && effectiveRpFilter(node, l.name) === 1,
    );
    const hit = strict.filter((l) => reasons.length > 0 || tunnels.has(l.name));
    if (hit.length === 0) return [];
    // a tunnel alone is symmetric while the node's own traffic into it is masqueraded (the
    // source becomes the tunnel address); without that, replies come back by the uplink
    const masq = nodeTrafficMasqueraded(node);
    const tunnelOnly = reasons.length === 0;
    if (tunnelOnly && masq === false)
      reasons.push(
        'no MASQUERADE in nat POSTROUTING covers node-sourced traffic into the tunnel: it leaves with the uplink address and the reply comes back by the uplink',
      );
    const harmless = tunnelOnly && masq === true;
    const ev: Evidence[] = [sysctlEvidence(node, 'net.ipv4.conf.all.rp_filter')];
    for (const l of hit.slice(0, 6)) {
      const key = `net.ipv4.conf.${l.name}.rp_filter`;
      ev.push({
        ...sysctlEvidence(node, key),
        text: `${key} = ${node.host.sysctl.get(key)?.value ?? '(absent)'} -> effective max(all, ${l.name}) = 1 (strict)${tunnels.has(l.name) ? `; ${l.name} is a ${l.kind} tunnel` : ''}`,
      });
    }
    for (const r of reasons)
      ev.push({
        source: sourceOf(
          node,
          r.includes('policy') ? 'ip-rule' : r.includes('MASQUERADE') ? 'iptables-save' : 'ip-addr',
        ),
        text: `asymmetric paths possible: ${r}`,
      });
    if (harmless)
      ev.push({
        source: rulesets(node)[0]?.source ?? sourceOf(node, 'iptables-save'),
        text: 'paths are symmetric for now: node traffic into the tunnel is masqueraded to the tunnel address (a change of masquerading or routing makes this strict setting drop replies)',
      });
    const loose = Object.fromEntries([
      ['net.ipv4.conf.all.rp_filter', '2'],
      ...hit.map((l) => [`net.ipv4.conf.${l.name}.rp_filter`, '2']),
    ]);
    return [
      finding(check, node, {
        ...(harmless ? { severity: 'info' as const } : {}),
        symptom:
          'Packets that arrive on one interface but whose source is routed via another (NodePort with a local backend, multi-NIC nodes, IPIP/VXLAN return paths) are dropped silently before any firewall: the client retransmits and times out.',
        evidence: ev,
        fix: [
          {
            kind: 'runtime',
            description:
              'loose mode (2) on the interfaces that see asymmetric traffic; note max(all, iface): lowering only one of them does not help',
            commands: [
              `sudo sysctl -w ${Object.entries(loose)
                .map(([k, v]) => `${k}=${v}`)
                .join(' ')}`,
              'nstat -az TcpExtIPReversePathFilter   # grows while packets are dropped',
            ],
          },
          {
            kind: 'persistent',
            description:
              'keep it (systemd >= 240 ships 50-default.conf with rp_filter = 2; a later file may set 1 again)',
            commands: [
              `printf '${Object.entries(loose)
                .map(([k, v]) => `${k} = ${v}`)
                .join('\\n')}\\n' | sudo tee /etc/sysctl.d/99-rp-filter.conf`,
              'sudo sysctl --system',
            ],
          },
          {
            kind: 'alternative',
            description: 'make the routing symmetric (policy routing per uplink)',
            commands: [
              'ip rule add from <uplink2 address> lookup 102 && ip route add default via <gw2> dev <uplink2> table 102',
            ],
          },
        ],
        references: [
          'cilium/cilium#13130',
          'cilium/cilium#19761',
          'projectcalico/felix#2082',
          'projectcalico/calico#4630',
          'ovn-org/ovn-kubernetes#3006',
        ],
        versions: [
          'systemd >= 240 sets net.ipv4.conf.default/*.rp_filter = 2 (loose)',
          'Calico Felix refuses loose mode unless FELIX_IGNORELOOSERPF=true and does its own RPF check',
        ],
      }),
    ];
  },
};
