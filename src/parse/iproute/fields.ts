/**
 * @module parse/iproute/fields
 * Typed reads of `ip -j` object fields. A field of the wrong type is reported once
 * (BAD_VALUE, at the element) and treated as absent.
 */
import { diag, type Diagnostic } from '../diagnostic.js';
import { isRecord, type JsonElement } from './read-json-array.js';

export class FieldReader {
  private readonly what: string;
  private readonly el: JsonElement;
  private readonly diagnostics: Diagnostic[];

  constructor(what: string, el: JsonElement, diagnostics: Diagnostic[]) {
    this.what = what;
    this.el = el;
    this.diagnostics = diagnostics;
  }

  private bad(key: string, expected: string): undefined {
    this.diagnostics.push(
      diag(
        'BAD_VALUE',
        `${this.what}[${this.el.index}]: "${key}" is not ${expected}`,
        this.el.line,
        this.el.column,
        'warning',
      ),
    );
    return undefined;
  }

  str(key: string, from: Record<string, unknown> = this.el.value): string | undefined {
    const v = from[key];
    if (v === undefined || v === null) return undefined;
    return typeof v === 'string' ? v : this.bad(key, 'a string');
  }

  num(key: string, from: Record<string, unknown> = this.el.value): number | undefined {
    const v = from[key];
    if (v === undefined || v === null) return undefined;
    return typeof v === 'number' && Number.isFinite(v) ? v : this.bad(key, 'a number');
  }

  /** true/false, 1/0 and "on"/"off" (iproute2 versions differ) */
  bool(key: string, from: Record<string, unknown> = this.el.value): boolean | undefined {
    const v = from[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'boolean') return v;
    if (v === 1 || v === 'on') return true;
    if (v === 0 || v === 'off') return false;
    return this.bad(key, 'a boolean');
  }

  obj(key: string, from: Record<string, unknown> = this.el.value): Record<string, unknown> | undefined {
    const v = from[key];
    if (v === undefined || v === null) return undefined;
    return isRecord(v) ? v : this.bad(key, 'an object');
  }

  strings(key: string, from: Record<string, unknown> = this.el.value): string[] {
    const v = from[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return this.bad(key, 'an array') ?? [];
    return v.filter((x): x is string => typeof x === 'string');
  }

  /** a required number field; missing or not a number -> SYNTAX diagnostic and undefined */
  requiredNum(key: string): number | undefined {
    const v = this.el.value[key];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    const why = v === undefined ? 'missing' : 'not a number:';
    this.diagnostics.push(
      diag('SYNTAX', `${this.what}[${this.el.index}]: ${why} "${key}"`, this.el.line, this.el.column),
    );
    return undefined;
  }

  /** a required string field; missing -> SYNTAX diagnostic and undefined */
  required(key: string): string | undefined {
    const v = this.el.value[key];
    if (typeof v === 'string' && v !== '') return v;
    this.diagnostics.push(
      diag('SYNTAX', `${this.what}[${this.el.index}]: missing "${key}"`, this.el.line, this.el.column),
    );
    return undefined;
  }
}
