/**
 * @module cluster/read-api
 * The inventory from the live API: one list call per kind (nodes, pods, Services,
 * EndpointSlices), through @kubernetes/client-node, with a timeout. A kind the service
 * account may not list becomes a diagnostic, the rest is still used.
 */
import { CoreV1Api, DiscoveryV1Api, type KubeConfig } from '@kubernetes/client-node';
import { diag } from '../parse/diagnostic.js';
import { addDocument } from './from-objects.js';
import { emptyInventory, type Inventory } from './types.js';

function errorText(e: unknown): string {
  const x = e as { code?: number; message?: string };
  return x.code ? `HTTP ${x.code}` : (x.message ?? String(e)).split('\n')[0]!;
}

export async function readInventoryFromApi(
  kc: KubeConfig,
  opts: { timeoutMs?: number } = {},
): Promise<Inventory> {
  const server = kc.getCurrentCluster()?.server ?? '?';
  const inv = emptyInventory(`api ${server}`);
  const core = kc.makeApiClient(CoreV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const timeoutSeconds = Math.max(1, Math.round((opts.timeoutMs ?? 20_000) / 1000));
  const calls: [string, string, () => Promise<unknown>][] = [
    ['Node', 'nodes', () => core.listNode({ timeoutSeconds })],
    ['Pod', 'pods', () => core.listPodForAllNamespaces({ timeoutSeconds })],
    ['Service', 'services', () => core.listServiceForAllNamespaces({ timeoutSeconds })],
    [
      'EndpointSlice',
      'endpointslices',
      () => discovery.listEndpointSliceForAllNamespaces({ timeoutSeconds }),
    ],
  ];
  const results = await Promise.allSettled(
    calls.map(([, , f]) => withTimeout(f(), opts.timeoutMs ?? 20_000)),
  );
  results.forEach((r, i) => {
    const [kind, plural] = calls[i]!;
    if (r.status === 'fulfilled') {
      const list = r.value as { items?: unknown[] };
      // the generated client returns typed objects without kind; the list tells us
      addDocument(inv, { kind: `${kind}List`, items: list.items ?? [] });
    } else {
      inv.diagnostics.push({
        ...diag('EMPTY', `cannot list ${plural} from ${server}: ${errorText(r.reason)}`, 0, 0, 'warning'),
        source: inv.source,
      });
    }
  });
  return inv;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
