/**
 * @module parse/proc/parse-resolv-conf
 * resolv.conf(5) as glibc's `res_init` reads it: `nameserver` (at most MAXNS = 3 are used),
 * `search` / `domain` (the last one wins), `options` (ndots:n, timeout:n, attempts:n,
 * rotate, single-request, single-request-reopen, edns0, use-vc, ...), `#`/`;` comments.
 * The Kubernetes pod file (`search ns.svc.cluster.local svc.cluster.local cluster.local`,
 * `options ndots:5`) is what makes short names fan out into several queries.
 */
import { isIP } from 'node:net';
import { diag, type Diagnostic, type ParseResult } from '../diagnostic.js';
import { splitLines, tokenize } from '../iproute/tokens.js';

export interface ResolvOption {
  name: string;
  value?: number;
  line: number;
}

export interface ResolvConf {
  nameservers: { address: string; line: number }[];
  search?: { domains: string[]; line: number };
  options: ResolvOption[];
  /** effective values (glibc defaults when not set: ndots 1, timeout 5, attempts 2) */
  ndots: number;
  timeout: number;
  attempts: number;
}

const MAXNS = 3;
const NUMERIC = new Map([
  ['ndots', 15],
  ['timeout', 30],
  ['attempts', 5],
]);
const FLAGS = new Set([
  'rotate',
  'single-request',
  'single-request-reopen',
  'edns0',
  'use-vc',
  'no-tld-query',
  'trust-ad',
  'no-reload',
  'inet6',
  'debug',
  'no-aaaa',
  'no-check-names',
  'ip6-bytestring',
  'ip6-dotint',
  'no-ip6-dotint',
]);

export function parseResolvConf(text: string): ParseResult<ResolvConf> {
  const diagnostics: Diagnostic[] = [];
  const conf: ResolvConf = { nameservers: [], options: [], ndots: 1, timeout: 5, attempts: 2 };
  splitLines(text).forEach((line, i) => {
    const n = i + 1;
    const t = tokenize(line);
    const kw = t[0];
    if (!kw || kw.text.startsWith('#') || kw.text.startsWith(';')) return;
    const cut = t.findIndex((x, k) => k > 0 && /^[#;]/.test(x.text));
    const args = t.slice(1, cut < 0 ? undefined : cut);
    switch (kw.text) {
      case 'nameserver': {
        const a = args[0];
        const addr = a?.text.replace(/%.*$/, ''); // fe80::1%eth0
        if (!a || !addr || !isIP(addr)) {
          diagnostics.push(
            diag(
              'BAD_VALUE',
              `resolv.conf: bad nameserver ${JSON.stringify(a?.text ?? '')}`,
              n,
              a?.column ?? kw.column,
            ),
          );
          return;
        }
        if (conf.nameservers.length >= MAXNS)
          diagnostics.push(
            diag(
              'BAD_VALUE',
              `resolv.conf: nameserver beyond MAXNS (${MAXNS}) is ignored by glibc`,
              n,
              a.column,
              'warning',
            ),
          );
        conf.nameservers.push({ address: a.text, line: n });
        return;
      }
      case 'search':
      case 'domain':
        conf.search = { domains: args.map((x) => x.text), line: n };
        return;
      case 'options':
        for (const o of args) readOption(o.text, o.column, n, conf, diagnostics);
        return;
      case 'sortlist':
        return;
      default:
        diagnostics.push(
          diag('UNSUPPORTED', `resolv.conf: unknown keyword ${JSON.stringify(kw.text)}`, n, kw.column),
        );
    }
  });
  return { value: conf, diagnostics };
}

function readOption(
  text: string,
  column: number,
  n: number,
  conf: ResolvConf,
  diagnostics: Diagnostic[],
): void {
  const [name = '', v] = text.split(':', 2);
  const max = NUMERIC.get(name);
  if (max !== undefined) {
    if (v === undefined || !/^\d+$/.test(v)) {
      diagnostics.push(diag('BAD_VALUE', `resolv.conf: option ${name} needs a number`, n, column));
      return;
    }
    const value = Math.min(Number(v), max); // res_init caps them (RES_MAXNDOTS, RES_MAXRETRANS, RES_MAXRETRY)
    conf.options.push({ name, value, line: n });
    conf[name as 'ndots' | 'timeout' | 'attempts'] = value;
    return;
  }
  if (!FLAGS.has(name))
    diagnostics.push(
      diag('UNSUPPORTED', `resolv.conf: unknown option ${JSON.stringify(text)}`, n, column, 'warning'),
    );
  conf.options.push({ name, line: n });
}
