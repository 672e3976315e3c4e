/**
 * @module parse/json/locate-pointer
 * Where, in a JSON text, the value at a JSON pointer (RFC 6901, as ajv's `instancePath`) starts.
 */
import { parseJsonValue } from './parse-json.js';
import { offsetToPosition, type Position } from './position.js';

/** `/sources/ip-route/exitCode` -> ['sources', 'ip-route', 'exitCode'] */
export function splitPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Line and column of the value at `pointer`, or of its nearest existing ancestor
 * (a missing property is reported where its parent object starts). Undefined for bad JSON.
 */
export function locatePointer(text: string, pointer: string): Position | undefined {
  const want = splitPointer(pointer);
  let best = -1;
  let bestDepth = -1;
  const r = parseJsonValue(text, 0, {
    onValue: (path, start) => {
      if (path.length <= bestDepth || path.length > want.length) return;
      for (let i = 0; i < path.length; i++) if (String(path[i]) !== want[i]) return;
      best = start;
      bestDepth = path.length;
    },
  });
  if (!r.ok || best < 0) return undefined;
  return offsetToPosition(text, best);
}
