/**
 * @module snapshot/validate
 * A snapshot JSON document against schemas/node-snapshot.v1.schema.json (ajv, draft-07).
 * The apiVersion is checked first so a newer snapshot says so instead of listing schema
 * differences. Errors name the file, the line and column of the offending value (found by
 * re-reading the text with positions) and its JSON pointer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { locatePointer } from '../parse/json/locate-pointer.js';
import { findRepoRoot } from './repo-root.js';
import { SnapshotError } from './snapshot-error.js';
import type { NodeSnapshot } from './types.js';

export const API_VERSION = 'podpath/v1';
export const SCHEMA_FILE = 'node-snapshot.v1.schema.json';

let compiled: ValidateFunction | undefined;

export function schemaPath(): string {
  return join(findRepoRoot(import.meta.url), 'schemas', SCHEMA_FILE);
}

function validator(): ValidateFunction {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(schemaPath(), 'utf8')) as object;
    compiled = new Ajv({ allErrors: false, strict: true }).compile(schema);
  }
  return compiled;
}

/**
 * Throws SnapshotError unless `doc` is a v1 NodeSnapshot. `text` (the JSON it was read from)
 * gives line numbers; without it errors name only the pointer.
 */
export function validateSnapshot(doc: unknown, file: string, text?: string): NodeSnapshot {
  const where = (pointer: string) => (text !== undefined ? locatePointer(text, pointer) : undefined);
  if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) {
    const v = (doc as Record<string, unknown>).apiVersion;
    if (typeof v === 'string' && v !== API_VERSION) {
      const p = where('/apiVersion');
      const m = /^podpath\/v(\d+)/.exec(v);
      const msg =
        m && Number(m[1]) > 1
          ? `${v} is newer than this podpath understands (it reads ${API_VERSION}): upgrade podpath or collect with a matching version`
          : `unknown apiVersion ${JSON.stringify(v)} (expected ${API_VERSION})`;
      throw new SnapshotError(file, msg, p?.line, p?.column);
    }
  }
  const validate = validator();
  if (!validate(doc)) {
    const err = validate.errors?.[0];
    // a bad property name (propertyNames) is reported at its object: point at the property
    const badName = err?.propertyName;
    const pointer =
      (err?.instancePath ?? '') +
      (badName !== undefined ? `/${badName.replace(/~/g, '~0').replace(/\//g, '~1')}` : '');
    const p = where(pointer);
    throw new SnapshotError(file, `not a ${API_VERSION} NodeSnapshot: ${describe(err)}`, p?.line, p?.column);
  }
  return doc as NodeSnapshot;
}

function describe(err: ErrorObject | undefined): string {
  if (!err) return 'invalid';
  const at = err.instancePath || '/';
  if (err.propertyName !== undefined)
    return `${at}: bad source id ${JSON.stringify(err.propertyName)} (lower-case letters, digits, ".", "_", "-")`;
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'required':
      return `${at}: missing property "${String(params.missingProperty)}"`;
    case 'const':
      return `${at} must be ${JSON.stringify(params.allowedValue)}`;
    default:
      return `${at} ${err.message ?? 'is invalid'}`;
  }
}
