/**
 * @module cluster/read-kubectl
 * `kubectl get nodes,pods,services,endpointslices -A -o json` output (one document, or
 * several concatenated as `kubectl get ... -o json; kubectl get ...` writes them) -> Inventory.
 * Bad JSON is a positioned diagnostic, never an exception.
 */
import { parseJsonValue, skipWhitespace } from '../parse/json/parse-json.js';
import { offsetToPosition } from '../parse/json/position.js';
import { diag } from '../parse/diagnostic.js';
import { addDocument } from './from-objects.js';
import { emptyInventory, type Inventory } from './types.js';

export function parseKubectlJson(text: string, source = '<input>'): Inventory {
  const inv = emptyInventory(source);
  let i = skipWhitespace(text, 0);
  if (i >= text.length) {
    inv.diagnostics.push({ ...diag('EMPTY', 'no JSON in the cluster inventory', 0), source });
    return inv;
  }
  while (i < text.length) {
    const r = parseJsonValue(text, i);
    if (!r.ok) {
      const pos = offsetToPosition(text, r.error.offset);
      inv.diagnostics.push({
        ...diag(r.error.eof ? 'UNEXPECTED_EOF' : 'SYNTAX', r.error.message, pos.line, pos.column),
        source,
      });
      break;
    }
    addDocument(inv, r.value);
    i = skipWhitespace(text, r.end);
  }
  if (!inv.diagnostics.length && !inv.nodes.length && !inv.pods.length && !inv.services.length)
    inv.diagnostics.push({
      ...diag('WRONG_FORMAT', 'no Node, Pod, Service or EndpointSlice objects found', 1, 1, 'warning'),
      source,
    });
  for (const d of inv.diagnostics) d.source ??= source;
  return inv;
}
