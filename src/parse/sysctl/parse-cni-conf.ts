/**
 * @module parse/sysctl/parse-cni-conf
 * The `cni-conf` source: the files of /etc/cni/net.d framed as in framed-files.ts. A
 * `.conflist` has `plugins`; a `.conf` is a single plugin. The container runtime uses the
 * first file in lexical order (libcni `ConfFiles` + sort), so `files[0]` after sorting wins.
 */
import { diag, type Diagnostic, type ParseResult } from '../diagnostic.js';
import { parseJson } from '../json/parse-json.js';
import { offsetToPosition } from '../json/position.js';
import { isRecord } from '../iproute/read-json-array.js';
import { splitFramedFiles } from './framed-files.js';

export interface CniConfFile {
  file: string;
  /** document line of the file's header (1 when unframed) */
  line: number;
  name?: string;
  cniVersion?: string;
  /** plugin objects as written, each with a string `type` (flannel, bridge, portmap, ...) */
  plugins: (Record<string, unknown> & { type: string })[];
}

export function parseCniConf(text: string): ParseResult<CniConfFile[]> {
  const diagnostics: Diagnostic[] = [];
  const out: CniConfFile[] = [];
  for (const f of splitFramedFiles(text)) {
    const what = f.file || 'cni-conf';
    const body = f.lines.join('\n');
    if (body.trim() === '') continue;
    const r = parseJson(body);
    if (!r.ok) {
      const p = offsetToPosition(body, r.error.offset);
      diagnostics.push(
        diag(
          r.error.eof ? 'UNEXPECTED_EOF' : 'SYNTAX',
          `${what}: ${r.error.message}`,
          f.firstLine + p.line - 1,
          p.column,
        ),
      );
      continue;
    }
    const here = f.headerLine || 1;
    if (!isRecord(r.value)) {
      diagnostics.push(diag('WRONG_FORMAT', `${what}: not a JSON object`, here, 0));
      continue;
    }
    const conf: CniConfFile = { file: f.file, line: here, plugins: [] };
    if (typeof r.value.name === 'string') conf.name = r.value.name;
    if (typeof r.value.cniVersion === 'string') conf.cniVersion = r.value.cniVersion;
    const list = Array.isArray(r.value.plugins) ? r.value.plugins : [r.value];
    for (const p of list) {
      if (isRecord(p) && typeof p.type === 'string')
        conf.plugins.push(p as Record<string, unknown> & { type: string });
      else diagnostics.push(diag('SYNTAX', `${what}: plugin without a "type"`, here, 0));
    }
    out.push(conf);
  }
  return { value: out, diagnostics };
}
