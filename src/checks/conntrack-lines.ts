/**
 * @module checks/conntrack-lines
 * Conntrack entries as evidence: the raw `conntrack -L` line when the source is there.
 */
import type { NodeModel } from '../model/node.js';
import type { CtEntry } from '../model/conntrack.js';
import type { Evidence } from './types.js';
import { sourceOf } from './util.js';

export function ctLineText(node: NodeModel, e: CtEntry): string {
  const raw = node.raw['conntrack']?.split(/\r?\n/)[e.line - 1]?.trim();
  if (raw) return raw;
  const t = (x: CtEntry['orig']) =>
    `src=${x.src} dst=${x.dst}${x.sport !== undefined ? ` sport=${x.sport}` : ''}${x.dport !== undefined ? ` dport=${x.dport}` : ''}`;
  return `${e.proto} ${e.protoNum} ${e.timeout}${e.state ? ` ${e.state}` : ''} ${t(e.orig)}${e.flags.includes('UNREPLIED') ? ' [UNREPLIED]' : ''} ${t(e.reply)}`;
}

export function ctEvidence(node: NodeModel, e: CtEntry, note = ''): Evidence {
  return {
    source: sourceOf(node, 'conntrack'),
    line: e.line,
    text: `${ctLineText(node, e)}${note ? `  (${note})` : ''}`,
  };
}
