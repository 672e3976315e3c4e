/**
 * @module cluster/testing/fake-api-server
 * A small HTTP server that speaks the part of the Kubernetes REST API podpath uses, so tests
 * run the real @kubernetes/client-node over real HTTP: list (Nodes, Pods, Services,
 * EndpointSlices, with fieldSelector spec.nodeName), watch (`?watch=true`, newline-delimited
 * watch events, held open), create Event (POST .../events) and patch node status
 * (strategic-merge or merge patch of status.conditions, merged by type as the API server does).
 * Bearer-token auth like a service account. Payloads are shaped like the API server's.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Resource {
  kind: string;
  apiVersion: string;
  /** list path without namespace: /api/v1/pods */
  path: string;
  namespaced: boolean;
}

const RESOURCES: Record<string, Resource> = {
  nodes: { kind: 'Node', apiVersion: 'v1', path: '/api/v1/nodes', namespaced: false },
  pods: { kind: 'Pod', apiVersion: 'v1', path: '/api/v1/pods', namespaced: true },
  services: { kind: 'Service', apiVersion: 'v1', path: '/api/v1/services', namespaced: true },
  endpointslices: {
    kind: 'EndpointSlice',
    apiVersion: 'discovery.k8s.io/v1',
    path: '/apis/discovery.k8s.io/v1/endpointslices',
    namespaced: true,
  },
  events: { kind: 'Event', apiVersion: 'v1', path: '/api/v1/events', namespaced: true },
};

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  authorization?: string;
  body?: unknown;
}

export interface FakeApiServer {
  url: string;
  token: string;
  requests: RecordedRequest[];
  objects: Record<string, Obj[]>;
  /** add/replace/delete an object and tell the open watches */
  emit(plural: string, type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: Obj): void;
  /** writes a kubeconfig (context `fake`, plus an unused context `other`) and returns its path */
  writeKubeconfig(dir: string): string;
  /** a new service-account token: the old one gets 401 from now on */
  rotateToken(): string;
  /** ends the open watches: with an ERROR 410 Expired event first when `expired` */
  endWatches(expired?: boolean): void;
  /** resolves when a request matching `pred` has arrived */
  waitFor(pred: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  close(): Promise<void>;
}

let rv = 1000;
function nextRv(): string {
  return String(++rv);
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      code,
    }),
  );
}

function matchesFieldSelector(o: Obj, sel: string | undefined): boolean {
  if (!sel) return true;
  return sel.split(',').every((term) => {
    const [k, v] = term.split('=');
    if (k === 'spec.nodeName') return o['spec']?.nodeName === v;
    if (k === 'metadata.name') return o['metadata']?.name === v;
    return true;
  });
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

/** Conditions merged by `type` (the patchMergeKey of NodeStatus.conditions). */
function mergeConditions(current: Obj[], patch: Obj[]): Obj[] {
  const out = current.map((c) => ({ ...c }));
  for (const p of patch) {
    const i = out.findIndex((c) => c['type'] === p['type']);
    if (i >= 0) out[i] = { ...out[i], ...p };
    else out.push({ ...p });
  }
  return out;
}

export async function startFakeApiServer(seed: Record<string, Obj[]> = {}): Promise<FakeApiServer> {
  let token = 'fake-sa-token-' + Math.random().toString(36).slice(2);
  const objects: Record<string, Obj[]> = {
    nodes: [],
    pods: [],
    services: [],
    endpointslices: [],
    events: [],
  };
  for (const [k, v] of Object.entries(seed)) objects[k] = v.map((o) => structuredClone(o));
  for (const list of Object.values(objects))
    for (const o of list) {
      o['metadata'] ??= {};
      o['metadata'].resourceVersion ??= nextRv();
      o['metadata'].uid ??= `uid-${o['metadata'].name}`;
    }
  const requests: RecordedRequest[] = [];
  const waiters: { pred: (r: RecordedRequest) => boolean; resolve: (r: RecordedRequest) => void }[] = [];
  const watches = new Set<{ plural: string; res: ServerResponse; sel?: string }>();

  const record = (r: RecordedRequest): void => {
    requests.push(r);
    for (const w of [...waiters])
      if (w.pred(r)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(r);
      }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(url.searchParams);
    const body =
      req.method === 'POST' || req.method === 'PATCH' ? await readBody(req).catch(() => null) : undefined;
    const r: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query };
    if (req.headers['content-type']) r.contentType = req.headers['content-type'];
    if (req.headers.authorization) r.authorization = req.headers.authorization;
    if (body !== undefined) r.body = body;
    record(r);
    if (req.headers.authorization !== `Bearer ${token}`)
      return status(res, 401, 'Unauthorized', 'Unauthorized');
    if (body === null) return status(res, 400, 'BadRequest', 'the request body is not JSON');
    const p = url.pathname;
    let m: RegExpMatchArray | null;
    // list / watch across namespaces: /api/v1/pods, /apis/discovery.k8s.io/v1/endpointslices
    for (const [plural, rsc] of Object.entries(RESOURCES)) {
      const nsPath = rsc.path.replace(/\/([a-z]+)$/, '/namespaces/([^/]+)/$1');
      const nm = rsc.namespaced ? p.match(new RegExp(`^${nsPath}$`)) : null;
      if (p !== rsc.path && !nm) continue;
      const ns = nm?.[1];
      if (req.method === 'POST' && ns) {
        const o = structuredClone(body as Obj);
        o['metadata'] ??= {};
        if (o['metadata'].namespace && o['metadata'].namespace !== ns)
          return status(
            res,
            400,
            'BadRequest',
            'the namespace of the object does not match the namespace of the request',
          );
        const gen = o['metadata'].generateName;
        o['metadata'] = {
          ...o['metadata'],
          namespace: ns,
          name: o['metadata'].name ?? `${gen ?? 'x'}${Math.random().toString(36).slice(2, 7)}`,
          uid: `uid-${Math.random().toString(36).slice(2)}`,
          resourceVersion: nextRv(),
          creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        };
        o['kind'] = rsc.kind;
        o['apiVersion'] = rsc.apiVersion;
        objects[plural]!.push(o);
        res.writeHead(201, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify(o));
      }
      if (req.method !== 'GET')
        return status(res, 405, 'MethodNotAllowed', `${req.method} not allowed on ${p}`);
      const items = objects[plural]!.filter(
        (o) => (!ns || o['metadata']?.namespace === ns) && matchesFieldSelector(o, query['fieldSelector']),
      );
      if (query['watch'] === 'true' || query['watch'] === '1') {
        res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
        const w = { plural, res, ...(query['fieldSelector'] ? { sel: query['fieldSelector'] } : {}) };
        watches.add(w);
        req.on('close', () => watches.delete(w));
        if (!query['resourceVersion'])
          for (const o of items) res.write(JSON.stringify({ type: 'ADDED', object: o }) + '\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(
        JSON.stringify({
          kind: `${rsc.kind}List`,
          apiVersion: rsc.apiVersion,
          metadata: { resourceVersion: String(rv) },
          items,
        }),
      );
    }
    if ((m = p.match(/^\/api\/v1\/nodes\/([^/]+)(\/status)?$/))) {
      const node = objects['nodes']!.find((n) => n['metadata']?.name === m![1]);
      if (!node) return status(res, 404, 'NotFound', `nodes "${m[1]}" not found`);
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify(node));
      }
      if (req.method === 'PATCH' && m[2]) {
        const ct = req.headers['content-type'] ?? '';
        if (!/strategic-merge-patch|merge-patch/.test(ct))
          return status(
            res,
            415,
            'UnsupportedMediaType',
            `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
          );
        const patch = body as Obj;
        node['status'] ??= {};
        const conds = patch?.['status']?.conditions;
        if (Array.isArray(conds)) {
          node['status'].conditions = ct.includes('strategic')
            ? mergeConditions(node['status'].conditions ?? [], conds)
            : conds;
        }
        node['metadata'].resourceVersion = nextRv();
        for (const w of watches)
          if (w.plural === 'nodes') w.res.write(JSON.stringify({ type: 'MODIFIED', object: node }) + '\n');
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify(node));
      }
      return status(res, 405, 'MethodNotAllowed', `${req.method} not allowed on ${p}`);
    }
    return status(res, 404, 'NotFound', `the server could not find the requested resource (${p})`);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => status(res, 500, 'InternalError', String(e)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    get token() {
      return token;
    },
    rotateToken() {
      token = 'fake-sa-token-' + Math.random().toString(36).slice(2);
      return token;
    },
    endWatches(expired = false) {
      for (const w of watches) {
        if (expired)
          w.res.write(
            JSON.stringify({
              type: 'ERROR',
              object: {
                kind: 'Status',
                apiVersion: 'v1',
                metadata: {},
                status: 'Failure',
                message: 'too old resource version',
                reason: 'Expired',
                code: 410,
              },
            }) + '\n',
          );
        w.res.end();
      }
      watches.clear();
    },
    requests,
    objects,
    emit(plural, type, o) {
      const list = objects[plural]!;
      const i = list.findIndex(
        (x) =>
          x['metadata']?.name === o['metadata']?.name &&
          x['metadata']?.namespace === o['metadata']?.namespace,
      );
      const copy = structuredClone(o);
      copy['metadata'] = { ...copy['metadata'], resourceVersion: nextRv() };
      if (type === 'DELETED') {
        if (i >= 0) list.splice(i, 1);
      } else if (i >= 0) list[i] = copy;
      else list.push(copy);
      for (const w of watches)
        if (w.plural === plural && matchesFieldSelector(copy, w.sel))
          w.res.write(JSON.stringify({ type, object: copy }) + '\n');
    },
    writeKubeconfig(dir) {
      const file = join(dir, 'kubeconfig');
      writeFileSync(
        file,
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters:',
          `- name: fake\n  cluster:\n    server: ${url}\n    insecure-skip-tls-verify: true`,
          `- name: other\n  cluster:\n    server: http://127.0.0.1:9\n    insecure-skip-tls-verify: true`,
          'users:',
          `- name: sa\n  user:\n    token: ${token}`,
          'contexts:',
          '- name: fake\n  context:\n    cluster: fake\n    user: sa',
          '- name: other\n  context:\n    cluster: other\n    user: sa',
          'current-context: other',
          '',
        ].join('\n'),
      );
      return file;
    },
    waitFor(pred, timeoutMs = 10_000) {
      const hit = requests.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve };
        waiters.push(w);
        setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) {
            waiters.splice(i, 1);
            reject(
              new Error(
                `no matching request in ${timeoutMs} ms (got: ${requests.map((q) => `${q.method} ${q.path}`).join(', ')})`,
              ),
            );
          }
        }, timeoutMs).unref();
      });
    },
    async close() {
      for (const w of watches) w.res.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
