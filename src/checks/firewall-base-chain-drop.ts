/**
 * @module checks/firewall-base-chain-drop
 * FM-13: a firewall that coexists with Kubernetes rejects pod traffic. (a) iptables: a
 * catch-all REJECT/DROP in filter FORWARD (firewalld on EL7: `-j REJECT --reject-with
 * icmp-host-prohibited`) before any rule that accepts pod traffic. (b) nftables: another
 * table's base chain on the forward hook (firewalld's `table inet firewalld`) with policy
 * drop or a final reject; a packet must pass every base chain on a hook (nf_hook_slow), so
 * an ACCEPT in iptables-nft's table does not save it.
 */
import type { Check, Evidence, Finding } from './types.js';
import { finding, needAny, sourceOf } from './util.js';
import { podFacingLinks, podNets } from './topology.js';
import { ruleEvidence, rulesets } from './rules.js';
import { forwardAccepts } from './forward-accept.js';
import { isIptablesNftTable, parseNftRuleset } from './nft-raw.js';

const REFS = [
  'flannel-io/flannel#1033',
  'flannel-io/flannel#2055',
  'flannel-io/flannel#2116',
  'projectcalico/calico#4382',
  'projectcalico/calico#5232',
  'canonical/microk8s#1157',
  'kubernetes/kubernetes#97283',
];

export const check: Check = {
  id: 'firewall-base-chain-drop',
  severity: 'critical',
  title: 'a host firewall rejects forwarded pod traffic before (or regardless of) the Kubernetes rules',
  fm: ['FM-13'],
  missing: (node) => needAny(node, 'iptables', 'nft-ruleset'),
  run(node) {
    const nets = podNets(node);
    const links = podFacingLinks(node);
    if (nets.length === 0 && links.length === 0) return [];
    const out: Finding[] = [];
    for (const src of rulesets(node)) {
      const fwd = src.rs.tables.filter?.chains['FORWARD'];
      if (!fwd) continue;
      const i = fwd.rules.findIndex(
        (r) =>
          (r.target?.t === 'REJECT' || r.target?.t === 'DROP') &&
          !r.src &&
          !r.dst &&
          !r.inIface &&
          !r.outIface &&
          !r.proto &&
          r.matches.every((m) => m.m === 'comment'),
      );
      if (i < 0) continue;
      const acc = forwardAccepts(src.rs, nets, links, i);
      if (acc.some((a) => a.kind === 'pod' || a.kind === 'unconditional')) continue;
      const rej = fwd.rules[i]!;
      out.push(
        finding(check, node, {
          title: 'a catch-all REJECT/DROP in filter FORWARD comes before any rule that accepts pod traffic',
          symptom:
            'Pod -> pod across nodes, pod -> Service with remote endpoints and pod egress fail with "No route to host" (ICMP host prohibited) or time out; stopping firewalld "fixes" it.',
          evidence: [
            ruleEvidence(
              src,
              { chain: fwd, rule: rej },
              `rule ${i + 1} of FORWARD; nothing before it accepts the pod subnets ${nets.map((n) => n.text).join(', ') || '(unknown)'}`,
            ),
          ],
          fix: [
            {
              kind: 'runtime',
              description:
                'put the pod interfaces in a trusted zone (firewalld) or accept pod traffic before the REJECT',
              commands: [
                'sudo firewall-cmd --zone=trusted --add-interface=cni0 --add-interface=flannel.1',
                ...nets.map((n) => `sudo iptables -I FORWARD -s ${n.text} -j ACCEPT`),
              ],
            },
            {
              kind: 'persistent',
              description:
                'make it permanent in the firewall configuration (or disable firewalld on Kubernetes nodes)',
              commands: [
                'sudo firewall-cmd --permanent --zone=trusted --add-interface=cni0 --add-interface=flannel.1 && sudo firewall-cmd --reload',
              ],
            },
          ],
          references: REFS,
        }),
      );
    }
    const view = parseNftRuleset(node.raw['nft-ruleset']);
    const names = links.map((l) => l.name);
    for (const c of view.chains) {
      if (c.hook !== 'forward' || isIptablesNftTable(c.family, c.table)) continue;
      const bad = c.policy === 'drop' || c.catchAll;
      if (!bad) continue;
      const table = view.tables.find((t) => t.family === c.family && t.name === c.table);
      const mentions = names.filter(
        (n) => table?.text.includes(`"${n}"`) || table?.text.includes(`"${n.replace(/\d+$/, '')}*"`),
      );
      if (names.length > 0 && mentions.length === names.length) continue; // the table handles the pod interfaces explicitly
      const ev: Evidence[] = [
        {
          source: sourceOf(node, 'nft-ruleset'),
          line: c.line,
          text: `table ${c.family} ${c.table}, chain ${c.chain}: hook forward priority ${c.priority ?? '?'}, policy ${c.policy}`,
        },
      ];
      if (c.catchAll)
        ev.push({
          source: sourceOf(node, 'nft-ruleset'),
          line: c.catchAll.line,
          text: `${c.catchAll.text}  (unconditional)`,
        });
      ev.push({
        source: sourceOf(node, 'nft-ruleset'),
        text: `the table does not name ${names
          .filter((n) => !mentions.includes(n))
          .slice(0, 4)
          .join(', ')}`,
      });
      out.push(
        finding(check, node, {
          severity: c.policy === 'drop' ? 'critical' : 'warning',
          title: `nftables base chain ${c.family} ${c.table} ${c.chain} on the forward hook ${c.policy === 'drop' ? 'drops' : 'rejects'} what it does not accept itself`,
          symptom:
            'Forwarded pod traffic is rejected ("No route to host", ICMP admin prohibited) or dropped although the iptables rules accept it: every base chain on the hook must accept a packet.',
          evidence: ev,
          fix: [
            {
              kind: 'runtime',
              description:
                'let that firewall accept the pod interfaces (firewalld: trusted zone; plain nftables: an accept rule in that chain)',
              commands: [
                'sudo firewall-cmd --zone=trusted --add-interface=cni0 --add-interface=flannel.1',
                `sudo nft insert rule ${c.family} ${c.table} ${c.chain} iifname { ${names
                  .slice(0, 3)
                  .map((n) => `"${n}"`)
                  .join(', ')} } accept`,
              ],
            },
            {
              kind: 'persistent',
              description: 'make the zone/rule permanent, or disable the host firewall on Kubernetes nodes',
              commands: [
                'sudo firewall-cmd --permanent --zone=trusted --add-interface=cni0 --add-interface=flannel.1 && sudo firewall-cmd --reload',
              ],
            },
          ],
          references: REFS,
          versions: [
            'firewalld >= 0.6 (EL8/EL9) uses its own nftables table; an ACCEPT in iptables-nft no longer overrides it',
          ],
        }),
      );
    }
    return out;
  },
};
