/**
 * @module parse/ss/parse-ss
 * `ss -H -t -u -l -n` -> listening sockets: `tcp LISTEN 0 4096 0.0.0.0:8080 0.0.0.0:*`,
 * `udp UNCONN 0 0 [::]:53 [::]:*`, `tcp LISTEN 0 511 10.0.0.1%eth0:80 ...`.
 */
import { diag, type ParseResult, type Diagnostic } from '../diagnostic.js';

export interface Listener {
  proto: 'tcp' | 'udp';
  /** '*' for a wildcard (0.0.0.0, [::], *) */
  addr: string;
  port: number;
  line: number;
}

export function parseSsListeners(text: string): ParseResult<Listener[]> {
  const out: Listener[] = [];
  const diagnostics: Diagnostic[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (!l || /^Netid\b|^State\b/.test(l)) continue;
    const f = l.split(/\s+/);
    if (f.length < 5 || (f[0] !== 'tcp' && f[0] !== 'udp')) {
      diagnostics.push(
        diag(
          'SYNTAX',
          `expected "tcp|udp STATE RECV-Q SEND-Q LOCAL PEER", got "${l.slice(0, 60)}"`,
          i + 1,
          1,
        ),
      );
      continue;
    }
    const local = f[4]!;
    const c = local.lastIndexOf(':');
    const port = Number(local.slice(c + 1));
    let addr = local
      .slice(0, c)
      .replace(/%.*$/, '')
      .replace(/^\[|\]$/g, '');
    if (addr === '0.0.0.0' || addr === '::' || addr === '*') addr = '*';
    if (c < 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
      diagnostics.push(diag('BAD_VALUE', `bad local address "${local}"`, i + 1, l.indexOf(local) + 1));
      continue;
    }
    out.push({ proto: f[0], addr, port, line: i + 1 });
  }
  return { value: out, diagnostics };
}
