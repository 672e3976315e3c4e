/**
 * @module parse/iproute/parse-bridge-fdb-text
 * Plain-text `bridge fdb show` -> FdbEntry[]
 * (`e6:7d:c5:e2:80:1a dev flannel.1 dst 172.80.0.2 self permanent`). `bridge fdb show dev X`
 * omits `dev`: pass it as an option.
 */
import { diag, type Diagnostic, type ParseResult } from '../diagnostic.js';
import type { FdbEntry } from '../../model/net.js';
import { splitLines, tokenize } from './tokens.js';

const WHAT = 'bridge fdb';
const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;
const VALUED = new Set([
  'dev',
  'master',
  'dst',
  'vlan',
  'port',
  'vni',
  'src_vni',
  'via',
  'nhid',
  'link-netnsid',
  'used',
]);
const FLAGS = new Set(['self', 'extern_learn', 'offload', 'router', 'sticky', 'use', 'locked', 'blackhole']);
const STATES = new Set(['permanent', 'static', 'dynamic', 'stale', 'noarp']);

export interface FdbTextOptions {
  dev?: string;
}

export function parseBridgeFdbText(text: string, options: FdbTextOptions = {}): ParseResult<FdbEntry[]> {
  const diagnostics: Diagnostic[] = [];
  const entries: FdbEntry[] = [];
  splitLines(text).forEach((line, i) => {
    const n = i + 1;
    const t = tokenize(line);
    const first = t[0];
    if (!first) return;
    if (!MAC.test(first.text)) {
      diagnostics.push(
        diag(
          'SYNTAX',
          `${WHAT}: expected a MAC address, found ${JSON.stringify(first.text)}`,
          n,
          first.column,
        ),
      );
      return;
    }
    // a learned entry prints no state; `bridge -j` reports it as ""
    const e: FdbEntry = {
      mac: first.text.toLowerCase(),
      ifname: options.dev ?? '',
      state: '',
      flags: [],
      line: n,
    };
    for (let k = 1; k < t.length; k++) {
      const tok = t[k]!;
      if (VALUED.has(tok.text)) {
        const v = t[++k];
        if (!v) {
          diagnostics.push(diag('SYNTAX', `${WHAT}: ${tok.text} without a value`, n, tok.column));
          break;
        }
        if (tok.text === 'dev') e.ifname = v.text;
        else if (tok.text === 'master') e.master = v.text;
        else if (tok.text === 'dst') e.dst = v.text;
        else if (tok.text === 'vlan') {
          if (/^\d+$/.test(v.text)) e.vlan = Number(v.text);
          else
            diagnostics.push(diag('BAD_VALUE', `${WHAT}: bad vlan ${JSON.stringify(v.text)}`, n, v.column));
        }
      } else if (STATES.has(tok.text)) e.state = tok.text;
      else if (FLAGS.has(tok.text)) e.flags.push(tok.text);
      else
        diagnostics.push(
          diag('UNSUPPORTED', `${WHAT}: unknown keyword ${JSON.stringify(tok.text)}`, n, tok.column),
        );
    }
    if (e.ifname === '')
      diagnostics.push(diag('SYNTAX', `${WHAT}: entry without dev`, n, first.column, 'warning'));
    entries.push(e);
  });
  return { value: entries, diagnostics };
}
