/**
 * @module render/sarif
 * `check --sarif`: SARIF 2.1.0 (OASIS) for CI systems. One run; the tool's rules are the
 * check catalog (so a CI can show every rule, not only the ones that fired); one result per
 * finding with level error (critical) / warning / note (info). A result points at the file
 * and line of its first evidence that has a real file: a plain path gets a region with the
 * line; a source embedded in a JSON snapshot (`node1.json#sources.sysctl`) gets the file
 * only, and the source id and line as a logical location (the line is inside the embedded
 * command output, not a line of the JSON file).
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Check, Evidence, Finding, Severity } from '../checks/types.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SARIF_VERSION = '2.1.0';

export type SarifLevel = 'none' | 'note' | 'warning' | 'error';

export interface SarifLocation {
  physicalLocation?: { artifactLocation: { uri: string }; region?: { startLine: number } };
  logicalLocations?: { name: string; fullyQualifiedName: string; kind: string }[];
}

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; severity: Severity };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex?: number;
  level: SarifLevel;
  message: { text: string };
  locations?: SarifLocation[];
  properties: Record<string, unknown>;
}

/** the subset of the SARIF 2.1.0 log that podpath writes */
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: {
    tool: { driver: { name: string; informationUri: string; version?: string; rules: SarifRule[] } };
    results: SarifResult[];
  }[];
}

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  warning: 'warning',
  info: 'note',
};

/** `conntrack-table-near-full` -> `ConntrackTableNearFull` (SARIF reportingDescriptor.name) */
function ruleName(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

/** Evidence sources that name no file: `computed`, `uname`, `sysctl` (an id without a file). */
function fileOf(e: Evidence): { uri: string; embedded?: string } | undefined {
  const [path, frag] = splitFragment(e.source);
  if (!path || !/[/\\.]/.test(path)) return undefined;
  const uri = isAbsolute(path) ? pathToFileURL(path).href : path.split('\\').join('/');
  return frag ? { uri, embedded: frag } : { uri };
}

function splitFragment(s: string): [string, string | undefined] {
  const i = s.indexOf('#');
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

function location(e: Evidence): SarifLocation {
  const f = fileOf(e);
  if (!f)
    return {
      logicalLocations: [
        { name: e.source, fullyQualifiedName: e.line ? `${e.source}:${e.line}` : e.source, kind: 'resource' },
      ],
    };
  const phys: NonNullable<SarifLocation['physicalLocation']> = { artifactLocation: { uri: f.uri } };
  if (!f.embedded && e.line !== undefined && e.line >= 1) phys.region = { startLine: e.line };
  const loc: SarifLocation = { physicalLocation: phys };
  if (f.embedded)
    loc.logicalLocations = [
      {
        name: f.embedded,
        fullyQualifiedName: e.line ? `${f.embedded}:${e.line}` : f.embedded,
        kind: 'resource',
      },
    ];
  return loc;
}

function message(f: Finding): string {
  const ev = f.evidence.map((e) => `- ${e.text} [${e.source}${e.line ? `:${e.line}` : ''}]`).join('\n');
  const fix = f.fix
    .map((x) => `${x.kind}: ${x.description}${x.commands.length ? `\n    ${x.commands.join('\n    ')}` : ''}`)
    .join('\n');
  return [`${f.title} (node ${f.node})`, f.symptom ?? '', ev && `Evidence:\n${ev}`, fix && `Fix:\n${fix}`]
    .filter(Boolean)
    .join('\n\n');
}

export function buildSarif(findings: Finding[], checks: Check[], opts: { version?: string } = {}): SarifLog {
  const ids = new Map<string, number>();
  const rules = checks.map((c, i): SarifRule => {
    ids.set(c.id, i);
    return {
      id: c.id,
      name: ruleName(c.id),
      shortDescription: { text: c.title },
      fullDescription: { text: `${c.title} (${c.fm.join(', ')} in failure-modes.md)` },
      defaultConfiguration: { level: LEVEL[c.severity] },
      properties: { tags: ['networking', 'kubernetes', ...c.fm], severity: c.severity },
    };
  });
  const results = findings.map((f): SarifResult => {
    const r: SarifResult = {
      ruleId: f.id,
      level: LEVEL[f.severity],
      message: { text: message(f) },
      properties: {},
    };
    const idx = ids.get(f.id);
    if (idx !== undefined) r.ruleIndex = idx;
    const withFile =
      f.evidence.find((e) => fileOf(e) && e.line !== undefined) ??
      f.evidence.find((e) => fileOf(e)) ??
      f.evidence[0];
    if (withFile) r.locations = [location(withFile)];
    r.properties = {
      node: f.node,
      severity: f.severity,
      references: f.references,
      ...(f.versions?.length ? { versions: f.versions } : {}),
    };
    return r;
  });
  return {
    $schema: SARIF_SCHEMA,
    version: SARIF_VERSION,
    runs: [
      {
        tool: {
          driver: {
            name: 'podpath',
            informationUri: 'https://github.com/podpath/podpath',
            ...(opts.version ? { version: opts.version } : {}),
            rules,
          },
        },
        results,
      },
    ],
  };
}

export function renderSarif(findings: Finding[], checks: Check[], opts: { version?: string } = {}): string {
  return JSON.stringify(buildSarif(findings, checks, opts), null, 2);
}
