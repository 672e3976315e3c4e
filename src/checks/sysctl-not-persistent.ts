/**
 * @module checks/sysctl-not-persistent
 * The incident's prevention: a setting that is right at runtime but that nothing in
 * /etc/sysctl.conf, /etc/sysctl.d or /etc/modules-load.d keeps after a reboot; and the reverse,
 * a persistent file that sets a bad value (systemd-sysctl applies files by name order,
 * /etc/sysctl.conf last; the last assignment wins).
 */
import type { NodeModel } from '../model/node.js';
import type { Check, Evidence, Finding } from './types.js';
import { finding, needAll, sourceOf, sysctlEvidence, sysctlValue } from './util.js';
import {
  effectiveAssignment,
  modulesLoadEntries,
  sysctlAssignments,
  type SysctlAssignment,
} from './framed-files.js';
import { podBridges } from './topology.js';

interface Wanted {
  name: string;
  good: string;
  /** only relevant when ... */
  applies: (node: NodeModel) => boolean;
  why: string;
}

const bridged = (node: NodeModel) => podBridges(node).length > 0;

export const WANTED: Wanted[] = [
  {
    name: 'net.bridge.bridge-nf-call-iptables',
    good: '1',
    applies: bridged,
    why: 'FM-01: bridged Service replies skip conntrack',
  },
  { name: 'net.bridge.bridge-nf-call-ip6tables', good: '1', applies: bridged, why: 'FM-01 (IPv6)' },
  {
    name: 'net.ipv4.ip_forward',
    good: '1',
    applies: () => true,
    why: 'FM-02: the node stops routing pod traffic',
  },
];

/** persistent values that are bad whatever the runtime says */
const BAD: { name: string; bad: (v: string) => boolean; why: string }[] = [
  { name: 'net.bridge.bridge-nf-call-iptables', bad: (v) => v === '0', why: 'FM-01' },
  { name: 'net.bridge.bridge-nf-call-ip6tables', bad: (v) => v === '0', why: 'FM-01' },
  { name: 'net.ipv4.ip_forward', bad: (v) => v === '0', why: 'FM-02' },
  { name: 'net.ipv4.conf.all.forwarding', bad: (v) => v === '0', why: 'FM-02' },
  { name: 'net.ipv4.tcp_tw_recycle', bad: (v) => v === '1', why: 'FM-15' },
  { name: 'net.ipv4.vs.conntrack', bad: (v) => v === '0', why: 'FM-07' },
];

const at = (node: NodeModel, a: SysctlAssignment): Evidence => ({
  source: `${a.file || sourceOf(node, 'sysctl-persistent')}`,
  line: a.line,
  text: a.text.trim(),
});

export const check: Check = {
  id: 'sysctl-not-persistent',
  severity: 'warning',
  title: 'a setting Kubernetes needs is right now but not kept after a reboot',
  fm: ['FM-01', 'FM-02'],
  missing: (node) => needAll(node, 'sysctl', 'sysctl-persistent'),
  run(node) {
    const text = node.raw['sysctl-persistent'];
    if (text === undefined || !node.host.known.has('sysctl')) return [];
    const all = sysctlAssignments(text);
    const out: Finding[] = [];
    // 1. right at runtime, nothing keeps it
    const lost: Evidence[] = [];
    const keep: Record<string, string> = {};
    for (const w of WANTED) {
      if (!w.applies(node) || sysctlValue(node, w.name) !== w.good) continue;
      const a = effectiveAssignment(all, w.name);
      if (a && a.value === w.good) continue;
      if (a) continue; // set to something else: reported below as a bad persistent value
      lost.push({
        ...sysctlEvidence(node, w.name),
        text: `${w.name} = ${w.good} at runtime, but no file in /etc/sysctl.conf or /etc/sysctl.d sets it (${w.why})`,
      });
      keep[w.name] = w.good;
    }
    const modules = node.raw['modules-load'];
    let moduleLost = false;
    if (
      modules !== undefined &&
      node.modules?.has('br_netfilter') &&
      bridged(node) &&
      !modulesLoadEntries(modules).some((l) => l.text === 'br_netfilter')
    ) {
      moduleLost = true;
      lost.push({
        source: sourceOf(node, 'modules'),
        text: 'br_netfilter is loaded now, but no file in /etc/modules-load.d loads it at boot: after a reboot the net.bridge.* sysctls do not exist until something loads it (Docker did; containerd does not)',
      });
    }
    if (lost.length) {
      const cmds: string[] = [];
      if (Object.keys(keep).length)
        cmds.push(
          `printf '${Object.entries(keep)
            .map(([k, v]) => `${k} = ${v}`)
            .join('\\n')}\\n' | sudo tee /etc/sysctl.d/99-kubernetes.conf`,
        );
      if (moduleLost) cmds.push('echo br_netfilter | sudo tee /etc/modules-load.d/br_netfilter.conf');
      cmds.push('sudo sysctl --system');
      out.push(
        finding(check, node, {
          symptom:
            'Everything works today; after the next reboot (or module reload) the node may come back with the setting lost and pod traffic breaks the way the incident did. (Only /etc/sysctl.conf, /etc/sysctl.d and /etc/modules-load.d were collected; /usr/lib/sysctl.d, /run and /etc/modules were not.)',
          evidence: lost,
          fix: [
            {
              kind: 'persistent',
              description: 'write what the node needs into the boot-time configuration',
              commands: cmds,
            },
          ],
          references: [
            'kubernetes/kubernetes#21613',
            'kubernetes/kubeadm#1062',
            'flatcar/init#72',
            'https://kubernetes.io/docs/setup/production-environment/container-runtimes/',
          ],
          versions: [
            'the kernel default of bridge-nf-call-iptables is 1 once br_netfilter loads, but distribution files (CentOS 7 /usr/lib/sysctl.d/00-system.conf) set 0',
          ],
        }),
      );
    }
    // 2. a persistent file sets a bad value
    const bad: Evidence[] = [];
    const fixes: string[] = [];
    for (const b of BAD) {
      const a = effectiveAssignment(all, b.name);
      if (!a || !b.bad(a.value)) continue;
      if (b.name.startsWith('net.bridge.') && !bridged(node)) continue;
      bad.push({
        ...at(node, a),
        text: `${a.text.trim()}  (applied at every boot; ${b.why}; runtime now ${sysctlValue(node, b.name) ?? '(absent)'})`,
      });
      fixes.push(`sudo sed -i '${a.line}s/^/# podpath: /' ${a.file || '/etc/sysctl.conf'}`);
    }
    if (bad.length)
      out.push(
        finding(check, node, {
          title: 'a persistent sysctl file sets a value that breaks pod networking at every boot',
          symptom:
            'Whatever is fixed at runtime comes back broken after a reboot or `sysctl --system` (some agents run it on every start).',
          evidence: bad,
          fix: [
            {
              kind: 'persistent',
              description:
                'comment the line out (or override it in a later-sorting file such as /etc/sysctl.d/99-kubernetes.conf)',
              commands: [...fixes, 'sudo sysctl --system'],
            },
          ],
          references: ['kubernetes/kubernetes#20475', 'kubernetes/kubernetes#21613'],
        }),
      );
    return out;
  },
};
