/**
 * @module cluster/load-inventory
 * The inventory a command should use: `--cluster FILE` (repeatable, merged), else the live
 * API when `--kubeconfig` / `--context` is given (or, with `discover`, the default kubeconfig
 * or the in-cluster service account). Undefined when there is none.
 */
import { readFile } from 'node:fs/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from './kube-config.js';
import { readInventoryFromApi } from './read-api.js';
import { parseKubectlJson } from './read-kubectl.js';
import { emptyInventory, type Inventory } from './types.js';

export interface InventoryOptions {
  files?: string[];
  kubeconfig?: string;
  context?: string;
  /** also try $KUBECONFIG, ~/.kube/config and the service account */
  discover?: boolean;
  timeoutMs?: number;
}

export class InventoryError extends Error {
  override name = 'InventoryError';
}

export function mergeInventories(parts: Inventory[]): Inventory {
  const out = emptyInventory(parts.map((p) => p.source).join(', '));
  for (const p of parts) {
    out.nodes.push(...p.nodes);
    out.pods.push(...p.pods);
    out.services.push(...p.services);
    out.slices.push(...p.slices);
    out.diagnostics.push(...p.diagnostics);
  }
  return out;
}

export async function readInventoryFiles(files: string[]): Promise<Inventory> {
  const parts: Inventory[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = await readFile(f, 'utf8');
    } catch (e) {
      throw new InventoryError(`${f}: cannot read the cluster inventory: ${(e as Error).message}`);
    }
    parts.push(parseKubectlJson(text, f));
  }
  return mergeInventories(parts);
}

export function kubeConfigFor(opts: InventoryOptions): KubeConfig | undefined {
  const explicit = Boolean(opts.kubeconfig || opts.context);
  const inCluster = Boolean(process.env['KUBERNETES_SERVICE_HOST']);
  if (!explicit && !opts.discover && !inCluster) return undefined;
  return loadKubeConfig({
    ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
    ...(opts.context ? { context: opts.context } : {}),
  });
}

export async function loadInventory(opts: InventoryOptions): Promise<Inventory | undefined> {
  if (opts.files?.length) return readInventoryFiles(opts.files);
  const kc = kubeConfigFor(opts);
  if (!kc) return undefined;
  return readInventoryFromApi(kc, opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {});
}
