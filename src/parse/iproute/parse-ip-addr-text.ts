/**
 * @module parse/iproute/parse-ip-addr-text
 * Plain-text `ip addr show` (and `ip -br addr`) -> Addr[], for dumps that have no JSON.
 * `line` is the text line of the `inet`/`inet6` line (or of the brief line).
 */
import { diag, type Diagnostic, type ParseResult } from '../diagnostic.js';
import type { Addr } from '../../model/net.js';
import { familyOf } from './prefix.js';
import { splitLines, tokenize } from './tokens.js';

const WHAT = 'ip addr';
/** `12: eth0@if13: <BROADCAST,...> mtu 1500 ...` */
const HEADER = /^\d+:\s+([^\s:@]+)(?:@[^\s:]+)?:\s+<[^>]*>/;
/** `eth0@if13   UP   10.0.0.1/24 fe80::1/64` */
const BRIEF = /^([^\s@]+)(?:@\S+)?\s+(UP|DOWN|UNKNOWN|LOWERLAYERDOWN|DORMANT|NOTPRESENT|TESTING)(?:\s|$)/;

export function parseIpAddrText(text: string): ParseResult<Addr[]> {
  const diagnostics: Diagnostic[] = [];
  const addrs: Addr[] = [];
  let ifname: string | undefined;
  splitLines(text).forEach((line, i) => {
    const n = i + 1;
    if (line.trim() === '') return;
    const h = HEADER.exec(line);
    if (h) {
      ifname = h[1];
      return;
    }
    if (/^\s/.test(line)) {
      const t = tokenize(line);
      const kw = t[0]?.text;
      if (kw !== 'inet' && kw !== 'inet6') return; // link/ether, valid_lft, altname, details
      if (ifname === undefined) {
        diagnostics.push(diag('SYNTAX', `${WHAT}: address before any interface line`, n, t[0]?.column ?? 1));
        return;
      }
      const a = t[1];
      const addr = a ? readPrefix(a.text, kw) : undefined;
      if (!a || !addr) {
        diagnostics.push(
          diag(
            'BAD_VALUE',
            `${WHAT}: bad address ${JSON.stringify(a?.text ?? '')}`,
            n,
            a?.column ?? line.length + 1,
          ),
        );
        return;
      }
      const scopeAt = t.findIndex((x) => x.text === 'scope');
      const scope = scopeAt >= 0 ? t[scopeAt + 1]?.text : undefined;
      addrs.push({ ifname, family: kw, ...addr, ...(scope !== undefined ? { scope } : {}), line: n });
      return;
    }
    const b = BRIEF.exec(line);
    if (b && b[1]) {
      ifname = undefined;
      for (const tok of tokenize(line).slice(2)) {
        if (!tok.text.includes('/')) continue; // `metric 100`
        const fam = familyOf(tok.text);
        const addr = fam ? readPrefix(tok.text, fam) : undefined;
        if (fam && addr) addrs.push({ ifname: b[1], family: fam, ...addr, line: n });
        else
          diagnostics.push(
            diag('BAD_VALUE', `${WHAT}: bad address ${JSON.stringify(tok.text)}`, n, tok.column),
          );
      }
      return;
    }
    diagnostics.push(diag('SYNTAX', `${WHAT}: not an interface, address or brief line`, n, 1, 'warning'));
  });
  return { value: addrs, diagnostics };
}

function readPrefix(s: string, family: 'inet' | 'inet6'): { local: string; prefixlen: number } | undefined {
  const [local = '', len] = s.split('/');
  if (familyOf(local) !== family) return undefined;
  const full = family === 'inet' ? 32 : 128;
  if (len === undefined) return { local, prefixlen: full };
  if (!/^\d{1,3}$/.test(len) || Number(len) > full) return undefined;
  return { local, prefixlen: Number(len) };
}
