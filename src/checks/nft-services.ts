/**
 * @module checks/nft-services
 * The Services kube-proxy's nftables proxier programmed, read back from table `ip kube-proxy`
 * (or `ip6`): each element `VIP . proto . port : goto service-...` of the `service-ips` verdict
 * map, its chain's `numgen random mod N vmap { i : goto endpoint-... }`, and each endpoint
 * chain's `dnat to IP:PORT`; elements of `no-endpoint-services` are Services without endpoints.
 */
import type { NodeModel } from '../model/node.js';
import type { NftChain, NftJson, NftTable } from '../model/nft.js';
import type { ServicePort } from './services.js';
import { sourceOf } from './util.js';

type Obj = { [key: string]: NftJson };
const obj = (v: NftJson | undefined): Obj | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;

/** the chain a verdict `{ goto | jump: { target } }` names */
function verdictTarget(v: NftJson | undefined): string | undefined {
  const o = obj(v);
  const t = obj(o?.['goto'] ?? o?.['jump'])?.['target'];
  return typeof t === 'string' ? t : undefined;
}

/** `VIP . proto . port` of a service-ips key, or undefined for other shapes */
function serviceKey(k: NftJson): { vip: string; proto: string; port: number } | undefined {
  const parts = obj(k)?.['concat'];
  if (!Array.isArray(parts) || parts.length !== 3) return undefined;
  const [vip, proto, port] = parts;
  if (typeof vip !== 'string' || typeof proto !== 'string' || typeof port !== 'number') return undefined;
  return { vip, proto, port };
}

/** `dnat to IP:PORT` targets reached from `chain` through jumps, gotos and vmaps (depth-bounded) */
function dnatTargets(t: NftTable, chain: NftChain | undefined, depth = 0): string[] {
  if (!chain || depth > 3) return [];
  const out: string[] = [];
  const visit = (e: NftJson): void => {
    const o = obj(e);
    if (!o) return;
    const d = obj(o['dnat']);
    if (d && typeof d['addr'] === 'string')
      out.push(`${d['addr']}${typeof d['port'] === 'number' ? `:${d['port']}` : ''}`);
    const target = verdictTarget(o);
    if (target) out.push(...dnatTargets(t, t.chains.get(target), depth + 1));
    const vm = obj(o['vmap']);
    const data = obj(vm?.['data'])?.['set'];
    if (Array.isArray(data))
      for (const pair of data)
        if (Array.isArray(pair)) {
          const tg = verdictTarget(pair[1]);
          if (tg) out.push(...dnatTargets(t, t.chains.get(tg), depth + 1));
        }
  };
  for (const r of chain.rules) for (const e of r.expr) visit(e);
  return [...new Set(out)];
}

/** `ns/name:port` from `service-HASH-ns/name/proto/port` */
function nameOf(chain: string): string | undefined {
  const m = /^service-[A-Z2-7]{8}-([^/]+)\/([^/]+)\/[^/]+\/(.*)$/.exec(chain);
  return m ? `${m[1]}/${m[2]}${m[3] ? `:${m[3]}` : ''}` : undefined;
}

export function nftKubeServices(node: NodeModel): ServicePort[] {
  const out: ServicePort[] = [];
  const source = sourceOf(node, 'nft-ruleset');
  for (const t of node.host.nft?.tables ?? []) {
    if (t.name !== 'kube-proxy' || (t.family !== 'ip' && t.family !== 'ip6')) continue;
    const svcMap = t.sets.get('service-ips');
    for (const e of svcMap?.elements ?? []) {
      const k = serviceKey(e.key);
      const target = verdictTarget(e.value);
      if (!k || !target) continue;
      out.push({
        name: e.comment ?? nameOf(target),
        ...k,
        endpoints: dnatTargets(t, t.chains.get(target)),
        source,
        line: svcMap!.item,
      });
    }
    const none = t.sets.get('no-endpoint-services');
    for (const e of none?.elements ?? []) {
      const k = serviceKey(e.key);
      if (!k) continue;
      out.push({ name: e.comment, ...k, endpoints: [], source, line: none!.item, noEndpoints: true });
    }
  }
  return out;
}
