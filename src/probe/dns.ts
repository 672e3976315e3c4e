/**
 * @module probe/dns
 * Resolves a Service name (`name.ns.svc.cluster.local`) the way a pod would: the resolver
 * of /etc/resolv.conf, or `--dns-server`, one try with a timeout.
 */
import { Resolver } from 'node:dns/promises';

export interface DnsResult {
  outcome: 'resolved' | 'nxdomain' | 'timeout' | 'error';
  ms: number;
  addresses: string[];
  server?: string;
  errno?: string;
}

export async function resolveName(
  name: string,
  opts: { server?: string; timeoutMs: number },
): Promise<DnsResult> {
  const r = new Resolver({ timeout: opts.timeoutMs, tries: 1 });
  if (opts.server) r.setServers([opts.server]);
  const server = r.getServers()[0];
  const started = Date.now();
  try {
    const addresses = await r.resolve4(name);
    return { outcome: 'resolved', ms: Date.now() - started, addresses, ...(server ? { server } : {}) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
    const outcome =
      code === 'ENOTFOUND' || code === 'ENODATA' ? 'nxdomain' : code === 'ETIMEOUT' ? 'timeout' : 'error';
    return { outcome, ms: Date.now() - started, addresses: [], errno: code, ...(server ? { server } : {}) };
  }
}
