/**
 * @module parse/nft/render-expr
 * nft JSON expressions and statements back into nft's own syntax (`ip daddr . meta l4proto
 * . th dport vmap @service-ips`), for traces and evidence. Shapes it does not know are
 * shown as compact JSON, so nothing is hidden.
 */
import type { NftJson } from '../../model/nft.js';

type Obj = { [key: string]: NftJson };

const isObj = (v: NftJson | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function one(v: NftJson): [string, NftJson] | undefined {
  if (!isObj(v)) return undefined;
  const keys = Object.keys(v);
  return keys.length === 1 ? [keys[0]!, v[keys[0]!]!] : undefined;
}

const BINOP = new Set(['&', '|', '^', '<<', '>>']);

/** An expression (value side). */
export function renderExpr(v: NftJson): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(renderExpr).join(', ');
  const kv = one(v);
  if (!kv) return JSON.stringify(v);
  const [k, a] = kv;
  const o = isObj(a) ? a : {};
  switch (k) {
    case 'payload':
      return o.base !== undefined
        ? `@${String(o.base)},${String(o.offset)},${String(o.len)}`
        : `${String(o.protocol)} ${String(o.field)}`;
    case 'meta':
      return `meta ${String(o.key)}`;
    case 'ct':
      return `ct${o.dir ? ` ${String(o.dir)}` : ''} ${String(o.key)}`;
    case 'fib':
      return `fib ${Array.isArray(o.flags) ? o.flags.map(String).join(' . ') : String(o.flags ?? '')} ${String(o.result)}`;
    case 'numgen':
      return `numgen ${String(o.mode)} mod ${String(o.mod)}${o.offset ? ` offset ${String(o.offset)}` : ''}`;
    case 'prefix':
      return `${renderExpr(o.addr ?? null)}/${String(o.len)}`;
    case 'range':
      return Array.isArray(a) ? `${renderExpr(a[0] ?? null)}-${renderExpr(a[1] ?? null)}` : JSON.stringify(v);
    case 'concat':
      return Array.isArray(a) ? a.map(renderExpr).join(' . ') : JSON.stringify(v);
    case 'set':
      return Array.isArray(a) ? `{ ${a.map(renderElem).join(', ')} }` : `{ ${renderExpr(a)} }`;
    case 'elem':
      return renderExpr(o.val ?? null);
    case 'map':
      return `${renderExpr(o.key ?? null)} map ${renderExpr(o.data ?? null)}`;
    default:
      if (BINOP.has(k) && Array.isArray(a)) return a.map(renderExpr).join(` ${k} `);
      if (isVerdictKey(k)) return renderStatement(v);
      return JSON.stringify(v);
  }
}

function renderElem(e: NftJson): string {
  if (Array.isArray(e) && e.length === 2) return `${renderExpr(e[0]!)} : ${renderExpr(e[1]!)}`;
  return renderExpr(e);
}

const VERDICTS = new Set(['accept', 'drop', 'continue', 'return', 'jump', 'goto', 'queue']);
function isVerdictKey(k: string): boolean {
  return VERDICTS.has(k);
}

function natArgs(o: Obj): string {
  const addr = o.addr !== undefined ? renderExpr(o.addr) : '';
  const port = o.port !== undefined ? `:${renderExpr(o.port)}` : '';
  const flags =
    o.flags === undefined
      ? ''
      : ` ${Array.isArray(o.flags) ? o.flags.map(String).join(',') : String(o.flags)}`;
  return `${addr || port ? ` to ${addr}${port}` : ''}${flags}`;
}

/** A statement of a rule. */
export function renderStatement(s: NftJson): string {
  const kv = one(s);
  if (!kv) return JSON.stringify(s);
  const [k, a] = kv;
  const o = isObj(a) ? a : {};
  switch (k) {
    case 'match': {
      const op = String(o.op ?? '==');
      const binop = isObj(o.left) && BINOP.has(Object.keys(o.left)[0] ?? '');
      const shown = (op === '==' && !binop) || op === 'in' ? '' : `${op} `;
      return `${renderExpr(o.left ?? null)} ${shown}${renderExpr(o.right ?? null)}`;
    }
    case 'vmap':
      return `${renderExpr(o.key ?? null)} vmap ${renderExpr(o.data ?? null)}`;
    case 'jump':
    case 'goto':
      return `${k} ${String(o.target)}`;
    case 'accept':
    case 'drop':
    case 'continue':
    case 'return':
    case 'notrack':
      return k;
    case 'reject':
      return a === null
        ? 'reject'
        : `reject with ${String(o.type ?? '')}${o.expr ? ` ${String(o.expr)}` : ''}`;
    case 'counter':
      return 'counter';
    case 'log':
      return `log${o.prefix ? ` prefix "${String(o.prefix)}"` : ''}`;
    case 'mangle':
      return `${renderExpr(o.key ?? null)} set ${renderExpr(o.value ?? null)}`;
    case 'dnat':
    case 'snat':
      return `${k}${o.family ? ` ${String(o.family)}` : ''}${natArgs(o)}`;
    case 'masquerade':
    case 'redirect':
      return `${k}${natArgs(o)}`;
    case 'set':
      return `${String(o.op)} ${renderExpr(o.set ?? null)} { ${renderExpr(o.elem ?? null)} }`;
    case 'limit':
      return `limit rate ${String(o.rate)}/${String(o.per)}`;
    case 'xt':
      return `xt ${String(o.type)} ${String(o.name)}`;
    default:
      return JSON.stringify(s);
  }
}

/** A rule's statements joined as nft prints them. */
export function renderRule(expr: NftJson[], comment?: string): string {
  return expr.map(renderStatement).join(' ') + (comment !== undefined ? ` comment "${comment}"` : '');
}
