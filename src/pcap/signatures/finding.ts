/**
 * @module pcap/signatures/finding
 * From grouped occurrences to {@link PcapFinding}s: evidence lines point at packets
 * (`<file>#<n>`), the packets travel along in full, and groups are capped so a capture
 * with a million refused connections still gives a short report.
 */
import type { Evidence, FixStep, Severity } from '../../checks/types.js';
import type { Packet, PcapFinding } from '../types.js';
import type { DetectorContext } from './context.js';
import { packetEvidence } from './evidence.js';

/** Packets kept as evidence per finding. */
export const MAX_EVIDENCE_PACKETS = 12;
/** Distinct groups (destinations, servers, ...) a detector tracks; more are only counted. */
export const MAX_GROUPS = 1000;
/** Findings reported per id; the rest are summed up in the last one. */
export const MAX_FINDINGS_PER_ID = 20;

export interface FindingSpec {
  id: string;
  severity: Severity;
  title: string;
  symptom: string;
  count: number;
  packets: Packet[];
  /** evidence lines that are not packets (counts, deductions) */
  notes?: string[];
  fix: FixStep[];
  references: string[];
}

export function buildFinding(spec: FindingSpec, ctx: DetectorContext): PcapFinding {
  const seen = new Set<number>();
  const packets = spec.packets.filter((p) => !seen.has(p.n) && seen.add(p.n)).slice(0, MAX_EVIDENCE_PACKETS);
  packets.sort((a, b) => a.n - b.n);
  const pe = packets.map((p) => packetEvidence(p, ctx));
  const evidence: Evidence[] = pe.map((e, i) => {
    const ev: Evidence = { source: e.source, text: e.summary };
    const line = packets[i]!.line;
    if (line) ev.line = line;
    return ev;
  });
  for (const n of spec.notes ?? []) evidence.push({ source: ctx.file, text: n });
  return {
    id: spec.id,
    severity: spec.severity,
    node: ctx.node,
    title: spec.title,
    symptom: spec.symptom,
    evidence,
    fix: spec.fix,
    references: spec.references,
    packets: pe,
    count: spec.count,
  };
}

/** Occurrences grouped by a key, each group remembering its first packets. */
export interface Group<E> {
  key: string;
  count: number;
  packets: Packet[];
  extra: E;
}

export class GroupTable<E> {
  readonly groups = new Map<string, Group<E>>();
  /** occurrences in groups beyond MAX_GROUPS */
  dropped = 0;

  /** Counts one occurrence; `packets` are kept while the group has room for evidence. */
  add(key: string, packets: Packet[], extra: () => E): Group<E> | undefined {
    let g = this.groups.get(key);
    if (!g) {
      if (this.groups.size >= MAX_GROUPS) {
        this.dropped++;
        return undefined;
      }
      g = { key, count: 0, packets: [], extra: extra() };
      this.groups.set(key, g);
    }
    g.count++;
    if (g.packets.length + packets.length <= MAX_EVIDENCE_PACKETS) g.packets.push(...packets);
    return g;
  }

  /** Groups by count, largest first, capped at MAX_FINDINGS_PER_ID. */
  top(): { shown: Group<E>[]; hiddenGroups: number; hiddenCount: number } {
    const all = [...this.groups.values()].sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
    const shown = all.slice(0, MAX_FINDINGS_PER_ID);
    const rest = all.slice(MAX_FINDINGS_PER_ID);
    return {
      shown,
      hiddenGroups: rest.length + (this.dropped ? 1 : 0),
      hiddenCount: rest.reduce((s, g) => s + g.count, 0) + this.dropped,
    };
  }
}

/** Builds the findings of one table, adding a note about groups left out. */
export function findingsOf<E>(
  table: GroupTable<E>,
  make: (g: Group<E>) => FindingSpec,
  ctx: DetectorContext,
  what: string,
): PcapFinding[] {
  const { shown, hiddenGroups, hiddenCount } = table.top();
  const out = shown.map((g) => make(g));
  const last = out[out.length - 1];
  if (last && hiddenGroups > 0) {
    last.notes = [
      ...(last.notes ?? []),
      `${hiddenCount} more occurrence(s) in ${hiddenGroups} more ${what} not listed`,
    ];
  }
  return out.map((s) => buildFinding(s, ctx));
}

export function seconds(x: number): string {
  return `${x.toFixed(x < 10 ? 1 : 0)} s`;
}
