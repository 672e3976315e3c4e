/**
 * @module cluster/light-api
 * A small Kubernetes API client on node:https for the in-cluster agent, without
 * @kubernetes/client-node (which costs ~70 MB of RSS): JSON requests and newline-delimited
 * watch streams, authenticated with the pod's service account. The token file is read again
 * on every request (kubelet rotates projected tokens); the CA bundle once. For tests the base
 * URL may be plain http://.
 */
import { readFileSync, existsSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface LightApiConfig {
  /** https://HOST:PORT (http:// only in tests) */
  server: string;
  tokenFile: string;
  /** PEM bundle; undefined with http:// */
  ca?: string;
}

export class ApiError extends Error {
  override name = 'ApiError';
  readonly code: number;
  readonly reason: string;
  constructor(code: number, reason: string, message: string) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}

/**
 * The in-cluster configuration, as kubelet gives it to a pod: KUBERNETES_SERVICE_HOST/PORT and
 * the service account directory. Undefined when not in a pod. `PODPATH_API_SERVER` overrides the
 * URL and `PODPATH_SERVICE_ACCOUNT_DIR` the directory (tests and the footprint script).
 */
export function inClusterConfig(env: NodeJS.ProcessEnv = process.env): LightApiConfig | undefined {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const dir = env['PODPATH_SERVICE_ACCOUNT_DIR'] || SERVICE_ACCOUNT_DIR;
  const tokenFile = join(dir, 'token');
  if (!host || !existsSync(tokenFile)) return undefined;
  const port = env['KUBERNETES_SERVICE_PORT'] || '443';
  const server = env['PODPATH_API_SERVER'] || `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const caFile = join(dir, 'ca.crt');
  return { server, tokenFile, ...(existsSync(caFile) ? { ca: readFileSync(caFile, 'utf8') } : {}) };
}

type Json = Record<string, unknown>;

export class LightApi {
  readonly config: LightApiConfig;
  private readonly base: URL;
  constructor(config: LightApiConfig) {
    this.config = config;
    this.base = new URL(config.server);
  }

  private open(
    method: string,
    path: string,
    headers: Record<string, string>,
    onResponse: (res: IncomingMessage) => void,
    onError: (e: Error) => void,
    signal?: AbortSignal,
  ): ClientRequest {
    let token = '';
    try {
      token = readFileSync(this.config.tokenFile, 'utf8').trim();
    } catch (e) {
      queueMicrotask(() => onError(new Error(`${this.config.tokenFile}: ${(e as Error).message}`)));
    }
    const https = this.base.protocol === 'https:';
    const req = (https ? httpsRequest : httpRequest)(
      {
        protocol: this.base.protocol,
        hostname: this.base.hostname.replace(/^\[|\]$/g, ''),
        port: this.base.port || (https ? 443 : 80),
        path,
        method,
        headers: { accept: 'application/json', authorization: `Bearer ${token}`, ...headers },
        ...(https && this.config.ca ? { ca: this.config.ca } : {}),
        ...(signal ? { signal } : {}),
      },
      onResponse,
    );
    req.on('error', onError);
    return req;
  }

  /** One JSON request; non-2xx answers reject with ApiError (code, reason, message from the Status). */
  json(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Json> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = this.open(
        method,
        path,
        data !== undefined
          ? { 'content-type': contentType, 'content-length': String(Buffer.byteLength(data)) }
          : {},
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let obj: Json = {};
            try {
              obj = text ? (JSON.parse(text) as Json) : {};
            } catch {
              obj = { message: text.slice(0, 200) };
            }
            const code = res.statusCode ?? 0;
            if (code >= 200 && code < 300) resolve(obj);
            else reject(toApiError(code, obj, `${method} ${path}`));
          });
        },
        reject,
      );
      req.end(data);
    });
  }

  /**
   * A watch: calls `onEvent` per line, resolves when the server ends the stream and rejects on
   * a transport error or a non-2xx answer (410 Gone included). `signal` aborts it.
   */
  stream(
    path: string,
    onEvent: (e: { type: string; object: Json }) => void,
    signal: AbortSignal,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = this.open(
        'GET',
        path,
        {},
        (res) => {
          const code = res.statusCode ?? 0;
          if (code < 200 || code >= 300) {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              let obj: Json = {};
              try {
                obj = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json;
              } catch {
                /* not a Status */
              }
              reject(toApiError(code, obj, `GET ${path}`));
            });
            return;
          }
          let buf = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            buf += c;
            let i;
            while ((i = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, i).trim();
              buf = buf.slice(i + 1);
              if (!line) continue;
              try {
                onEvent(JSON.parse(line) as { type: string; object: Json });
              } catch (e) {
                req.destroy(e as Error);
              }
            }
          });
          res.on('end', () => resolve());
          res.on('aborted', () => resolve());
          res.on('error', (e) => (signal.aborted ? resolve() : reject(e)));
        },
        (e) => (signal.aborted ? resolve() : reject(e)),
        signal,
      );
      req.end();
    });
  }
}

function toApiError(code: number, obj: Json, what: string): ApiError {
  const reason = typeof obj['reason'] === 'string' ? obj['reason'] : `HTTP ${code}`;
  const msg = typeof obj['message'] === 'string' ? obj['message'] : '';
  return new ApiError(code, reason, `${what}: HTTP ${code} ${reason}${msg ? `: ${msg}` : ''}`);
}
