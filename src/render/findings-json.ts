/**
 * @module render/findings-json
 * `check --json` (ARCHITECTURE §4): `{ "findings": [FINDING...] }`, each FINDING with id,
 * severity, node, title, symptom, evidence, fix, references (and versions when known), in a
 * fixed key order so that output diffs stay small. Checks that could not run are listed
 * under `skipped` when given.
 */
import type { Finding } from '../checks/types.js';

export interface Skipped {
  id: string;
  node: string;
  reason: string;
}

function ordered(f: Finding): Record<string, unknown> {
  const o: Record<string, unknown> = { id: f.id, severity: f.severity, node: f.node, title: f.title };
  if (f.symptom !== undefined) o.symptom = f.symptom;
  o.evidence = f.evidence.map((e) =>
    e.line !== undefined
      ? { source: e.source, line: e.line, text: e.text }
      : { source: e.source, text: e.text },
  );
  o.fix = f.fix.map((x) => ({ kind: x.kind, description: x.description, commands: x.commands }));
  o.references = f.references;
  if (f.versions?.length) o.versions = f.versions;
  return o;
}

export function renderFindingsJson(findings: Finding[], opts: { skipped?: Skipped[] } = {}): string {
  const doc: Record<string, unknown> = { findings: findings.map(ordered) };
  if (opts.skipped) doc.skipped = opts.skipped;
  return JSON.stringify(doc, null, 2);
}
