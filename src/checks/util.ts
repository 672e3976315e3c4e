/**
 * @module checks/util
 * Small readers shared by the checks: source names for evidence, sysctl values with their
 * line, what a snapshot holds, and the finding builder.
 */
import type { NodeModel } from '../model/node.js';
import type { Check, Evidence, Finding, FixStep } from './types.js';

/** The file a source came from, for evidence (`sysctl.txt`, `node1.json#sysctl`), else the id. */
export function sourceOf(node: NodeModel, id: string): string {
  return node.sourceFiles[id] ?? id;
}

export function sysctlValue(node: NodeModel, name: string): string | undefined {
  return node.host.sysctl.get(name)?.value;
}

/** Integer value of a sysctl (first field for `32768 60999`), undefined when absent or not a number. */
export function sysctlInt(node: NodeModel, name: string): number | undefined {
  const v = sysctlValue(node, name);
  if (v === undefined) return undefined;
  const n = Number(v.trim().split(/\s+/)[0]);
  return Number.isFinite(n) ? n : undefined;
}

export function sysctlEvidence(node: NodeModel, name: string): Evidence {
  const s = node.host.sysctl.get(name);
  return {
    source: s?.source ?? sourceOf(node, 'sysctl'),
    line: s?.line,
    text: `${name} = ${s?.value ?? '(absent)'}`,
  };
}

export function sysctlKnown(node: NodeModel): boolean {
  return node.host.known.has('sysctl');
}

export function hasBridgeNetfilterKeys(node: NodeModel): boolean {
  for (const k of node.host.sysctl.keys()) if (k.startsWith('net.bridge.')) return true;
  return false;
}

/** Is source `id` in the snapshot (parsed or raw)? */
export function known(node: NodeModel, id: string): boolean {
  if (id === 'modules') return node.modules !== undefined;
  if (id === 'uname') return node.kernel !== undefined;
  if (id === 'conntrack-stats') return node.ctStats !== undefined || node.raw[id] !== undefined;
  if (id === 'conntrack') return node.host.conntrack !== undefined || node.raw[id] !== undefined;
  if (id === 'iptables')
    return ['iptables-save', 'iptables-legacy-save', 'iptables-nft-save'].some((x) => node.host.known.has(x));
  return node.host.known.has(id) || node.raw[id] !== undefined;
}

/** `missing` helper: the first of `ids` not collected, as a reason; undefined when all are there. */
export function needAll(node: NodeModel, ...ids: string[]): string | undefined {
  const lack = ids.filter((id) => !known(node, id));
  return lack.length ? `${lack.join(', ')} not in the snapshot` : undefined;
}

/** `missing` helper: none of `ids` collected. */
export function needAny(node: NodeModel, ...ids: string[]): string | undefined {
  return ids.some((id) => known(node, id)) ? undefined : `none of ${ids.join(', ')} in the snapshot`;
}

export interface FindingParts {
  severity?: Finding['severity'];
  title?: string;
  symptom: string;
  evidence: Evidence[];
  fix: FixStep[];
  references: string[];
  versions?: string[];
}

/** A finding of `check` on `node`; severity and title default to the check's. */
export function finding(check: Check, node: NodeModel, p: FindingParts): Finding {
  const f: Finding = {
    id: check.id,
    severity: p.severity ?? check.severity,
    node: node.name,
    title: p.title ?? check.title,
    symptom: p.symptom,
    evidence: p.evidence,
    fix: p.fix,
    references: p.references,
  };
  if (p.versions?.length) f.versions = p.versions;
  return f;
}

/** Runtime + persistent fix for sysctls: `sysctl -w` now, a file in /etc/sysctl.d for boots. */
export function sysctlFix(settings: Record<string, string>, file: string, why = 'set it now'): FixStep[] {
  const pairs = Object.entries(settings);
  return [
    {
      kind: 'runtime',
      description: why,
      commands: [`sudo sysctl -w ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`],
    },
    {
      kind: 'persistent',
      description: `keep it after reboots (${file})`,
      commands: [
        `printf '${pairs.map(([k, v]) => `${k} = ${v}`).join('\\n')}\\n' | sudo tee ${file}`,
        'sudo sysctl --system',
      ],
    },
  ];
}
