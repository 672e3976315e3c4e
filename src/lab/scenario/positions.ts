/**
 * @module lab/scenario/positions
 * Maps a JSON pointer (ajv's `instancePath`) to a line and column of the YAML source.
 */
import { isMap, isNode, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export interface Pos {
  line: number;
  column: number;
}

export function splitPointer(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function child(node: unknown, key: string, wantKey: boolean): Node | undefined {
  if (isMap(node)) {
    for (const item of node.items) {
      if (isPair(item) && isScalar(item.key) && String(item.key.value) === key) {
        const target = wantKey ? item.key : item.value;
        return isNode(target) ? target : isNode(item.key) ? item.key : undefined;
      }
    }
    return undefined;
  }
  if (isSeq(node)) {
    const v = node.items[Number(key)];
    return isNode(v) ? v : undefined;
  }
  return undefined;
}

/**
 * Position of the value at `pointer`; with `key`, of the map key `key` under it
 * (for unknown properties). Falls back to the nearest ancestor that exists.
 */
export function locate(doc: Document, lc: LineCounter, pointer: string, key?: string): Pos {
  let node: unknown = doc.contents;
  let best: Node | undefined = isNode(node) ? node : undefined;
  for (const part of splitPointer(pointer)) {
    const next = child(node, part, false);
    if (!next) break;
    node = next;
    best = next;
  }
  if (key !== undefined) {
    const k = child(node, key, true);
    if (k) best = k;
  }
  const offset = best?.range?.[0] ?? 0;
  const p = lc.linePos(offset);
  return { line: p.line, column: p.col };
}
