/**
 * @module cli/load-inventory
 * The flags every command shares for names from Kubernetes (`--cluster FILE`,
 * `--kubeconfig FILE`, `--context NAME`) -> Inventory, with errors mapped to exit code 2 and
 * the inventory's diagnostics reported on stderr; and `--from` / `--to` resolved by name.
 */
import { InputError } from './args.js';
import { loadInventory, InventoryError } from '../cluster/load-inventory.js';
import { KubeConfigError } from '../cluster/kube-config.js';
import { NameError, resolveSource, resolveTarget } from '../cluster/resolve-name.js';
import type { Inventory } from '../cluster/types.js';
import { prettifyDiagnostic } from '../parse/diagnostic.js';

export const INVENTORY_FLAGS = {
  cluster: { type: 'string', multiple: true },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
} as const;

export const INVENTORY_HELP = `  --cluster C      kubectl get nodes,pods,services,endpointslices -A -o json (names; repeatable)
  --kubeconfig F   read the inventory from the API of this kubeconfig (with --context NAME)`;

export async function inventoryFromFlags(
  values: { cluster?: string[]; kubeconfig?: string; context?: string },
  opts: { quiet?: boolean; discover?: boolean } = {},
): Promise<Inventory | undefined> {
  let inv: Inventory | undefined;
  try {
    inv = await loadInventory({
      ...(values.cluster ? { files: values.cluster } : {}),
      ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
      ...(values.context ? { context: values.context } : {}),
      ...(opts.discover ? { discover: true } : {}),
    });
  } catch (e) {
    if (e instanceof InventoryError || e instanceof KubeConfigError) throw new InputError(e.message);
    throw e;
  }
  if (inv && !opts.quiet)
    for (const d of inv.diagnostics.slice(0, 10))
      process.stderr.write(`podpath: warning: ${prettifyDiagnostic(d)}\n`);
  const fatal = inv?.diagnostics.find((d) => d.code === 'SYNTAX' || d.code === 'UNEXPECTED_EOF');
  if (fatal && inv && !inv.pods.length && !inv.services.length)
    throw new InputError(prettifyDiagnostic(fatal));
  return inv;
}

export function sourceFlag(spec: string, inv: Inventory | undefined, flag = '--from') {
  try {
    return resolveSource(spec, inv, flag);
  } catch (e) {
    if (e instanceof NameError) throw new InputError(e.message);
    throw e;
  }
}

export function targetFlag(spec: string, inv: Inventory | undefined, flag = '--to') {
  try {
    return resolveTarget(spec, inv, flag);
  } catch (e) {
    if (e instanceof NameError) throw new InputError(e.message);
    throw e;
  }
}
