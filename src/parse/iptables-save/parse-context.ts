/**
 * @module parse/iptables-save/parse-context
 * Mutable state shared by the line, rule, match and target parsers of one document:
 * the address family (fixed by the caller, the header, or the first address seen), the
 * current line and the diagnostics list (capped so hostile input stays bounded).
 */
import { diag, type Diagnostic, type DiagnosticCode, type DiagnosticSeverity } from '../diagnostic.js';
import { guessFamily, type Family } from './parse-address.js';

/** After this many diagnostics one SYNTAX error says so and the rest are dropped. */
export const MAX_DIAGNOSTICS = 10000;

export interface ParseContext {
  family: Family;
  /** false while the family is still a guess (no option, no header, no address yet) */
  familyKnown: boolean;
  /** 1-based line being parsed */
  line: number;
  diagnostics: Diagnostic[];
  /** diagnostics dropped after MAX_DIAGNOSTICS */
  dropped: number;
}

export function createContext(family: Family | undefined): ParseContext {
  return {
    family: family ?? 'ipv4',
    familyKnown: family !== undefined,
    line: 0,
    diagnostics: [],
    dropped: 0,
  };
}

/** Records a diagnostic at the current line (column 1-based, 0 = unknown). */
export function report(
  ctx: ParseContext,
  code: DiagnosticCode,
  message: string,
  column: number,
  severity?: DiagnosticSeverity,
  line: number = ctx.line,
): void {
  if (ctx.diagnostics.length >= MAX_DIAGNOSTICS) {
    if (ctx.dropped === 0) {
      ctx.diagnostics.push(
        diag('SYNTAX', `more than ${MAX_DIAGNOSTICS} diagnostics; the rest are not reported`, line, 0),
      );
    }
    ctx.dropped++;
    return;
  }
  ctx.diagnostics.push(diag(code, message, line, column, severity));
}

/** Fixes the family from the first address seen when neither caller nor header named it. */
export function settleFamily(ctx: ParseContext, addressText: string): Family {
  if (!ctx.familyKnown) {
    ctx.family = guessFamily(addressText);
    ctx.familyKnown = true;
  }
  return ctx.family;
}
