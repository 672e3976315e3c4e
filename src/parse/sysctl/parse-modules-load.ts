/**
 * @module parse/sysctl/parse-modules-load
 * The `modules-load` source: /etc/modules-load.d/*.conf (modules-load.d(5)) and /etc/modules,
 * framed as in framed-files.ts. One module name per line, `#` or `;` comments. Names are
 * given with `_` for `-`, as the kernel canonicalises them (/proc/modules spelling).
 */
import { diag, type Diagnostic, type ParseResult } from '../diagnostic.js';
import { splitFramedFiles } from './framed-files.js';

export interface ModuleToLoad {
  file: string;
  /** line within `file` */
  line: number;
  module: string;
}

export function parseModulesLoad(text: string): ParseResult<ModuleToLoad[]> {
  const diagnostics: Diagnostic[] = [];
  const out: ModuleToLoad[] = [];
  for (const f of splitFramedFiles(text)) {
    f.lines.forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
      const name = line.split(/\s+/)[0] ?? '';
      if (!/^[A-Za-z0-9_-]+$/.test(name)) {
        diagnostics.push(
          diag(
            'BAD_VALUE',
            `${f.file || 'modules-load'}: line ${i + 1}: bad module name ${JSON.stringify(name)}`,
            f.firstLine + i,
            raw.search(/\S/) + 1,
            'warning',
          ),
        );
        return;
      }
      out.push({ file: f.file, line: i + 1, module: name.replace(/-/g, '_') });
    });
  }
  return { value: out, diagnostics };
}
