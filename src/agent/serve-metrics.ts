/**
 * @module agent/serve-metrics
 * The agent's HTTP endpoint: `/metrics` (Prometheus text format), `/healthz` (the process
 * answers) and `/readyz` (a first run has completed and the last one did not fail).
 */
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface ListenAddress {
  host: string;
  port: number;
}

/** `127.0.0.1:9807`, `:9807` (all addresses), `[::1]:9807` */
export function parseListen(s: string): ListenAddress | undefined {
  const m = s.match(/^(?:\[([0-9a-fA-F:]+)\]|([^:[\]]*)):(\d{1,5})$/);
  if (!m || Number(m[3]) > 65535) return undefined;
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port: Number(m[3]) };
}

export function serveMetrics(
  registry: Registry,
  readiness: () => { ready: boolean; why?: string },
  at: ListenAddress,
): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(text);
        },
        (e: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(e));
        },
      );
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const r = readiness();
      res
        .writeHead(r.ready ? 200 : 503, { 'content-type': 'text/plain' })
        .end(r.ready ? 'ok\n' : `not ready: ${r.why ?? 'no run yet'}\n`);
    } else {
      res
        .writeHead(404, { 'content-type': 'text/plain' })
        .end('podpath agent: /metrics, /healthz, /readyz\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => resolve(server));
  });
}
