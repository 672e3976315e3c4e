/**
 * @module parse/iproute/parse-ip-neigh-text
 * Plain-text `ip neigh show` -> Neigh[] (`10.244.0.0 dev flannel.1 lladdr e6:.. PERMANENT`).
 */
import { diag, type Diagnostic, type ParseResult } from '../diagnostic.js';
import type { Neigh } from '../../model/net.js';
import { familyOf } from './prefix.js';
import { splitLines, tokenize } from './tokens.js';

const WHAT = 'ip neigh';
const VALUED = new Set(['dev', 'lladdr', 'probes', 'used', 'protocol', 'vrf', 'nud']);
const FLAGS = new Set(['router', 'proxy', 'extern_learn', 'offload', 'managed', 'extern_valid']);

export interface NeighTextOptions {
  /** device of entries without `dev` (`ip neigh show dev eth0` omits it) */
  dev?: string;
}

export function parseIpNeighText(text: string, options: NeighTextOptions = {}): ParseResult<Neigh[]> {
  const diagnostics: Diagnostic[] = [];
  const neighs: Neigh[] = [];
  splitLines(text).forEach((line, i) => {
    const n = i + 1;
    const t = tokenize(line);
    const first = t[0];
    if (!first) return;
    if (!familyOf(first.text)) {
      diagnostics.push(
        diag('SYNTAX', `${WHAT}: expected an address, found ${JSON.stringify(first.text)}`, n, first.column),
      );
      return;
    }
    const e: Neigh = { dst: first.text, dev: options.dev ?? '', state: [], line: n };
    for (let k = 1; k < t.length; k++) {
      const tok = t[k]!;
      if (VALUED.has(tok.text)) {
        const v = t[++k];
        if (!v) {
          diagnostics.push(diag('SYNTAX', `${WHAT}: ${tok.text} without a value`, n, tok.column));
          break;
        }
        if (tok.text === 'dev') e.dev = v.text;
        else if (tok.text === 'lladdr') e.lladdr = v.text;
      } else if (/^[A-Z_]+$/.test(tok.text)) e.state.push(tok.text);
      else if (!FLAGS.has(tok.text))
        diagnostics.push(
          diag('UNSUPPORTED', `${WHAT}: unknown keyword ${JSON.stringify(tok.text)}`, n, tok.column),
        );
    }
    if (e.dev === '')
      diagnostics.push(diag('SYNTAX', `${WHAT}: entry without dev`, n, first.column, 'warning'));
    neighs.push(e);
  });
  return { value: neighs, diagnostics };
}
