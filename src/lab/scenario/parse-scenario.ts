/**
 * @module lab/scenario/parse-scenario
 * YAML text -> Scenario, with positioned diagnostics; never throws. Three phases:
 * YAML syntax (eemeli/yaml), shape (JSON Schema via ajv), meaning (references and
 * address plans, see validate-scenario.ts).
 */
import { Ajv, type ErrorObject } from 'ajv';
import { LineCounter, parseDocument } from 'yaml';
import type { DiagnosticCode } from '../../parse/diagnostic.js';
import { locate } from './positions.js';
import { SCENARIO_SCHEMA } from './schema.js';
import { normaliseScenario } from './normalise-scenario.js';
import { validateScenario } from './validate-scenario.js';
import type { ScenarioDiagnostic, ScenarioParseResult } from './types.js';

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validateShape = ajv.compile(SCENARIO_SCHEMA);

/** A diagnostic at a JSON pointer; `at` resolves it to a position. */
export type Reporter = (code: DiagnosticCode, message: string, pointer: string, key?: string) => void;

function schemaMessage(e: ErrorObject): { code: DiagnosticCode; message: string; key?: string } {
  const where = e.instancePath || '(top level)';
  switch (e.keyword) {
    case 'required':
      return {
        code: 'BAD_VALUE',
        message: `${where}: missing required field '${String(e.params.missingProperty)}'`,
      };
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      return { code: 'UNSUPPORTED', message: `${where}: unknown field '${key}'`, key };
    }
    case 'enum':
      return {
        code: 'BAD_VALUE',
        message: `${where}: must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    default:
      return { code: 'BAD_VALUE', message: `${where}: ${e.message ?? e.keyword}` };
  }
}

/** Drops the noise of `anyOf` (one error per branch) when a branch error is more precise. */
function usefulErrors(errors: ErrorObject[]): ErrorObject[] {
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  return errors.filter((e) => {
    if (e.keyword === 'anyOf') return true;
    return (
      !anyOfPaths.has(e.instancePath) && ![...anyOfPaths].some((p) => e.instancePath.startsWith(p + '/'))
    );
  });
}

export function parseScenario(text: string, file?: string): ScenarioParseResult {
  const diagnostics: ScenarioDiagnostic[] = [];
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const src = file ?? '<scenario>';
  for (const e of doc.errors) {
    const pos = e.linePos?.[0] ?? lc.linePos(e.pos[0]);
    const code: DiagnosticCode = e.code === 'DUPLICATE_KEY' ? 'DUPLICATE' : 'SYNTAX';
    diagnostics.push({
      code,
      severity: 'error',
      message: e.message.split('\n')[0] ?? e.code,
      line: pos?.line ?? 0,
      column: pos?.col ?? 0,
      path: '',
      source: src,
    });
  }
  if (diagnostics.length) return { value: undefined, diagnostics };
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) {
    diagnostics.push({
      code: 'EMPTY',
      severity: 'error',
      message: 'empty scenario',
      line: 0,
      column: 0,
      path: '',
      source: src,
    });
    return { value: undefined, diagnostics };
  }
  const report: Reporter = (code, message, pointer, key) => {
    const pos = locate(doc, lc, pointer, key);
    diagnostics.push({
      code,
      severity: 'error',
      message,
      line: pos.line,
      column: pos.column,
      path: pointer,
      source: src,
    });
  };
  if (!validateShape(data)) {
    for (const e of usefulErrors(validateShape.errors ?? [])) {
      const m = schemaMessage(e);
      report(m.code, m.message, e.instancePath, m.key);
    }
    return { value: undefined, diagnostics };
  }
  const scenario = normaliseScenario(data as unknown as Record<string, unknown>, report);
  if (file) scenario.file = file;
  validateScenario(scenario, report);
  diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  return { value: diagnostics.length ? undefined : scenario, diagnostics };
}
