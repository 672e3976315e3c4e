/**
 * @module parse/sysctl/parse-sysctl-conf
 * /etc/sysctl.conf and /etc/sysctl.d/*.conf (sysctl.d(5)): `key = value` or `key=value`,
 * comments start with `#` or `;`, a leading `-` means "ignore a failure to set it".
 * procps and systemd-sysctl take no inline comments: the rest of the line is the value.
 */
import { diag, type Diagnostic, type ParseResult } from '../diagnostic.js';
import { splitLines } from '../iproute/tokens.js';
import { normaliseSysctlName, normaliseSysctlValue } from './sysctl-name.js';

export interface SysctlConfEntry {
  key: string;
  value: string;
  /** line within the file */
  line: number;
  /** `-key = value`: failures to apply are ignored */
  ignoreErrors: boolean;
}

/** `firstLine`: document line of the file's line 1 (diagnostics are positioned in the document) */
export function parseSysctlConfLines(
  lines: string[],
  firstLine: number,
  what: string,
  diagnostics: Diagnostic[],
): SysctlConfEntry[] {
  const entries: SysctlConfEntry[] = [];
  lines.forEach((raw, i) => {
    const docLine = firstLine + i;
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const eq = raw.indexOf('=');
    if (eq < 0) {
      diagnostics.push(
        diag('SYNTAX', `${what}: line ${i + 1}: missing "="`, docLine, raw.search(/\S/) + 1, 'warning'),
      );
      return;
    }
    let key = raw.slice(0, eq).trim();
    const ignoreErrors = key.startsWith('-');
    if (ignoreErrors) key = key.slice(1).trim();
    if (key === '' || /\s/.test(key)) {
      diagnostics.push(
        diag(
          'SYNTAX',
          `${what}: line ${i + 1}: bad key ${JSON.stringify(key)}`,
          docLine,
          raw.search(/\S/) + 1,
        ),
      );
      return;
    }
    entries.push({
      key: normaliseSysctlName(key),
      value: normaliseSysctlValue(raw.slice(eq + 1)),
      line: i + 1,
      ignoreErrors,
    });
  });
  return entries;
}

export function parseSysctlConf(text: string): ParseResult<SysctlConfEntry[]> {
  const diagnostics: Diagnostic[] = [];
  const value = parseSysctlConfLines(splitLines(text), 1, 'sysctl.conf', diagnostics);
  return { value, diagnostics };
}
