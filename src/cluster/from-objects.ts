/**
 * @module cluster/from-objects
 * Kubernetes objects (as the API or `kubectl -o json` returns them) -> Inventory. Shared by
 * the file reader and the API reader; tolerant of missing fields, never throws: an object
 * that cannot be used becomes a diagnostic naming its kind and name.
 */
import { diag } from '../parse/diagnostic.js';
import type { Inventory, InvEndpointSlice, InvServicePort, Protocol } from './types.js';

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}
function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
function proto(v: unknown): Protocol {
  return v === 'UDP' || v === 'SCTP' ? v : 'TCP';
}
function portNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 65536 ? v : undefined;
}

/** Adds one object of `kind` (kind may come from the list it was in) to the inventory. */
export function addObject(inv: Inventory, o: unknown, kindHint?: string): void {
  const x = obj(o);
  if (!x) return;
  const kind = str(x['kind']) ?? kindHint;
  const meta = obj(x['metadata']) ?? {};
  const name = str(meta['name']);
  const namespace = str(meta['namespace']) ?? '';
  const spec = obj(x['spec']) ?? {};
  const status = obj(x['status']) ?? {};
  if (!name) {
    if (kind) inv.diagnostics.push(diag('BAD_VALUE', `a ${kind} without metadata.name was skipped`, 0));
    return;
  }
  switch (kind) {
    case 'Node':
      inv.nodes.push({
        name,
        addresses: arr(status['addresses'])
          .map(obj)
          .filter((a): a is Obj => !!a && !!str(a['address']))
          .map((a) => ({ type: str(a['type']) ?? '', address: str(a['address'])! })),
        podCIDRs: [
          ...new Set(
            [str(spec['podCIDR']), ...arr(spec['podCIDRs']).map(str)].filter((c): c is string => !!c),
          ),
        ],
      });
      return;
    case 'Pod': {
      const ips = [str(status['podIP']), ...arr(status['podIPs']).map((p) => str(obj(p)?.['ip']))];
      const pod: Inventory['pods'][number] = {
        namespace,
        name,
        ips: [...new Set(ips.filter((i): i is string => !!i))],
        hostNetwork: spec['hostNetwork'] === true,
      };
      const node = str(spec['nodeName']);
      if (node) pod.node = node;
      const phase = str(status['phase']);
      if (phase) pod.phase = phase;
      inv.pods.push(pod);
      return;
    }
    case 'Service': {
      const ips = [str(spec['clusterIP']), ...arr(spec['clusterIPs']).map(str)];
      const ports: InvServicePort[] = [];
      for (const p of arr(spec['ports']).map(obj)) {
        const port = portNumber(p?.['port']);
        if (!p || port === undefined) {
          inv.diagnostics.push(
            diag('BAD_VALUE', `Service ${namespace}/${name}: a port without a valid number`, 0),
          );
          continue;
        }
        const sp: InvServicePort = { port, protocol: proto(p['protocol']) };
        const pn = str(p['name']);
        if (pn) sp.name = pn;
        const tp = p['targetPort'];
        if (typeof tp === 'number' || typeof tp === 'string') sp.targetPort = tp;
        ports.push(sp);
      }
      inv.services.push({
        namespace,
        name,
        type: str(spec['type']) ?? 'ClusterIP',
        clusterIPs: [...new Set(ips.filter((i): i is string => !!i && i !== 'None'))],
        ports,
      });
      return;
    }
    case 'EndpointSlice': {
      const labels = obj(meta['labels']) ?? {};
      const service = str(labels['kubernetes.io/service-name']);
      if (!service) return; // slices not managed for a Service (custom) name nothing we show
      const slice: InvEndpointSlice = { namespace, name, service, ports: [], endpoints: [] };
      for (const p of arr(x['ports']).map(obj)) {
        const port = portNumber(p?.['port']);
        if (!p || port === undefined) continue;
        const sp: InvEndpointSlice['ports'][number] = { port, protocol: proto(p['protocol']) };
        const pn = str(p['name']);
        if (pn) sp.name = pn;
        slice.ports.push(sp);
      }
      for (const e of arr(x['endpoints']).map(obj)) {
        if (!e) continue;
        const ready = obj(e['conditions'])?.['ready'] !== false;
        const ref = obj(e['targetRef']);
        const pod =
          ref && str(ref['kind']) === 'Pod' && str(ref['name'])
            ? `${str(ref['namespace']) ?? namespace}/${str(ref['name'])}`
            : undefined;
        const node = str(e['nodeName']);
        for (const ip of arr(e['addresses']).map(str)) {
          if (!ip) continue;
          const ep: InvEndpointSlice['endpoints'][number] = { ip, ready };
          if (node) ep.node = node;
          if (pod) ep.pod = pod;
          slice.endpoints.push(ep);
        }
      }
      inv.slices.push(slice);
      return;
    }
    default:
      return;
  }
}

/** Walks a `kind: List` (or `NodeList`, ...), a bare array, or a single object. */
export function addDocument(inv: Inventory, doc: unknown): void {
  if (Array.isArray(doc)) {
    for (const d of doc) addDocument(inv, d);
    return;
  }
  const x = obj(doc);
  if (!x) return;
  if (Array.isArray(x['items'])) {
    const k = str(x['kind']);
    const hint = k && k !== 'List' && k.endsWith('List') ? k.slice(0, -4) : undefined;
    for (const i of x['items']) {
      if (obj(i)?.['items']) addDocument(inv, i);
      else addObject(inv, i, hint);
    }
    return;
  }
  addObject(inv, x);
}
