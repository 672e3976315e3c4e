/**
 * @module parse/sysctl/parse-sysctl
 * `sysctl -a` (or `sysctl net`) output: `name = value` per line -> name -> { value, line }.
 * Lines sysctl writes about keys it could not read (`sysctl: permission denied on key ...`)
 * are skipped with a warning.
 */
import { diag, type Diagnostic, type ParseResult } from '../diagnostic.js';
import { splitLines } from '../iproute/tokens.js';
import { normaliseSysctlName, normaliseSysctlValue } from './sysctl-name.js';

export interface SysctlValue {
  value: string;
  line: number;
}

const ENTRY = /^\s*([^\s=]+)\s*=(.*)$/;

export function parseSysctl(text: string): ParseResult<Map<string, SysctlValue>> {
  const diagnostics: Diagnostic[] = [];
  const values = new Map<string, SysctlValue>();
  splitLines(text).forEach((line, i) => {
    const n = i + 1;
    if (line.trim() === '') return;
    const m = ENTRY.exec(line);
    if (!m || !m[1]) {
      const noise = line.startsWith('sysctl:');
      diagnostics.push(
        diag(
          noise ? 'UNSUPPORTED' : 'SYNTAX',
          `sysctl: ${noise ? 'message, not a value' : 'expected "name = value"'}`,
          n,
          1,
          noise ? 'warning' : 'error',
        ),
      );
      return;
    }
    const name = normaliseSysctlName(m[1]);
    const prev = values.get(name);
    if (prev)
      diagnostics.push(
        diag(
          'DUPLICATE',
          `sysctl: ${name} already set on line ${prev.line}`,
          n,
          line.indexOf(m[1]) + 1,
          'warning',
        ),
      );
    values.set(name, { value: normaliseSysctlValue(m[2] ?? ''), line: n });
  });
  if (values.size === 0 && diagnostics.length === 0)
    diagnostics.push(diag('EMPTY', 'sysctl: no values', 0, 0, 'warning'));
  return { value: values, diagnostics };
}
