/**
 * @module serve/server
 * The local web view of `podpath serve`: an index (findings, matrix, captures), a page per
 * node and a page per flow, all rendered by the report's functions. Only GET and HEAD;
 * every response carries a strict Content-Security-Policy (no script at all). Nothing from
 * the folder is served as a file or run: pages are computed from the parsed snapshots.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Folder } from './load-folder.js';
import { buildReport, flowView, type FlowView, type ReportModel } from '../report/build-report.js';
import { contentSecurityPolicy, page } from '../report/page.js';
import { esc } from '../report/escape.js';
import {
  renderCapture,
  renderFindings,
  renderFlow,
  renderMatrix,
  renderSummary,
  type Links,
} from '../report/render-report.js';
import { cellKey } from '../report/matrix.js';
import { traceFlow, TraceError } from '../diagnose/trace.js';
import { isIPv4 } from '../util/ipv4.js';
import type { Flow } from '../sim/types.js';

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': contentSecurityPolicy({ header: true }),
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

export const SERVE_LINKS: Links = {
  flow: (f) =>
    `/flow?proto=${encodeURIComponent(f.proto)}&src=${encodeURIComponent(f.src)}&dst=${encodeURIComponent(f.dst)}&dport=${f.dport}`,
  node: (name) => `/node/${encodeURIComponent(name)}`,
};

export interface ServeState {
  folder: Folder;
  report: ReportModel;
  flows: Map<string, FlowView>;
  /** Host header names accepted (DNS-rebinding guard when bound to loopback); undefined: any */
  allowedHosts?: Set<string>;
}

export async function serveState(folder: Folder, allowedHosts?: Set<string>): Promise<ServeState> {
  const report = await buildReport(folder.cluster, { files: folder.files, maxDiagrams: 0 });
  return { folder, report, flows: new Map(), allowedHosts };
}

const NAV = `<nav class="top"><a href="/">index</a><a href="/#matrix">matrix</a><a href="/#findings">findings</a></nav>`;

function send(res: ServerResponse, status: number, html: string, head: boolean): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
  });
  res.end(head ? undefined : html);
}

function errorPage(status: number, message: string): string {
  return page(
    `podpath: ${status}`,
    `<h1>${status}</h1><p class="name">${esc(message)}</p><p><a href="/">back to the index</a></p>`,
    { nav: NAV },
  );
}

function flowLinks(s: ServeState): Map<string, string> {
  const m = new Map<string, string>();
  for (const c of s.report.matrix.cells.values()) m.set(c.service, c.service);
  return m;
}

function indexPage(s: ServeState): string {
  const r = s.report;
  const body = [
    `<h1>${esc(`podpath serve: ${s.folder.dir}`)}</h1>`,
    renderSummary(r, SERVE_LINKS),
    s.folder.skipped.length
      ? `<details><summary>${s.folder.skipped.length} entr${s.folder.skipped.length === 1 ? 'y' : 'ies'} not loaded</summary><ul>${s.folder.skipped.map((x) => `<li><code>${esc(x.file)}</code>: ${esc(x.reason)}</li>`).join('')}</ul></details>`
      : '',
    '<h2 id="matrix">Pod → Service matrix</h2>',
    renderMatrix(r.matrix, flowLinks(s), SERVE_LINKS),
    '<h2 id="findings">Check findings</h2>',
    renderFindings(r.findings, SERVE_LINKS),
    ...s.folder.captures.map((c) => `<h2>Capture <code>${esc(c.file)}</code></h2>${renderCapture(c)}`),
  ];
  return page(r.title, body.join('\n'), { nav: NAV });
}

function nodePage(s: ServeState, name: string): string | undefined {
  const n = s.folder.cluster.nodes.find((x) => x.name === name);
  if (!n) return undefined;
  const pods = n.pods
    .map((p) => {
      const ip = p.addrs.find((a) => a.family === 'inet' && a.ifname !== 'lo')?.local ?? '';
      const who = p.pod ? `${p.pod.namespace}/${p.pod.name}` : '';
      return `<tr><td class="name"><bdi>${esc(who)}</bdi></td><td class="mono">${esc(p.name)}</td><td class="mono">${esc(ip)}</td><td>${p.synthetic ? 'assumed (not in the snapshot)' : 'collected'}</td></tr>`;
    })
    .join('\n');
  const links = n.host.links
    .map(
      (l) =>
        `<tr><td class="mono"><bdi>${esc(l.name)}</bdi></td><td>${esc(l.kind ?? 'physical')}</td><td class="mono">${esc(l.master ?? '')}</td><td>${esc(l.mtu)}</td><td>${esc(l.operstate)}</td><td class="mono">${esc(
          n.host.addrs
            .filter((a) => a.ifname === l.name)
            .map((a) => `${a.local}/${a.prefixlen}`)
            .join(' '),
        )}</td></tr>`,
    )
    .join('\n');
  const sysctls = [
    'net.bridge.bridge-nf-call-iptables',
    'net.ipv4.ip_forward',
    'net.bridge.bridge-nf-call-ip6tables',
  ]
    .map(
      (k) =>
        `<tr><td class="mono">${esc(k)}</td><td class="mono">${esc(n.host.sysctl.get(k)?.value ?? 'not collected')}</td></tr>`,
    )
    .join('');
  const own = s.report.findings.filter((f) => f.node === n.name);
  const body = [
    `<h1>node <bdi>${esc(n.name)}</bdi></h1>`,
    `<p class="muted">kernel ${esc(n.kernel ?? 'unknown')}; ${n.diagnostics.length} parser diagnostic(s)</p>`,
    '<h2>Check findings</h2>',
    renderFindings(own, SERVE_LINKS),
    '<h2>Pods</h2>',
    `<table><thead><tr><th>pod</th><th>namespace (netns)</th><th>IPv4</th><th>source</th></tr></thead><tbody>${pods}</tbody></table>`,
    '<h2>Interfaces</h2>',
    `<table><thead><tr><th>name</th><th>kind</th><th>master</th><th>MTU</th><th>state</th><th>addresses</th></tr></thead><tbody>${links}</tbody></table>`,
    '<h2>Key sysctls</h2>',
    `<table><tbody>${sysctls}</tbody></table>`,
  ];
  return page(`podpath: node ${n.name}`, body.join('\n'), { nav: NAV });
}

/** Query -> flow, or a message saying which parameter is wrong. */
export function parseFlowQuery(q: URLSearchParams): Flow | string {
  const proto = q.get('proto') ?? 'tcp';
  const src = q.get('src') ?? '';
  const dst = q.get('dst') ?? '';
  const dport = Number(q.get('dport'));
  if (proto !== 'tcp' && proto !== 'udp') return 'proto: expected tcp or udp';
  if (!isIPv4(src)) return 'src: expected an IPv4 address';
  if (!isIPv4(dst)) return 'dst: expected an IPv4 address';
  if (!Number.isInteger(dport) || dport < 1 || dport > 65535) return 'dport: expected a port 1-65535';
  return { proto, src, dst, dport };
}

async function flowPage(s: ServeState, flow: Flow): Promise<string> {
  const key = `${flow.proto}|${flow.src}|${flow.dst}|${flow.dport}`;
  let v = s.flows.get(key);
  if (!v) {
    const all = s.report.findings;
    const t = traceFlow(s.folder.cluster, flow, {
      findings: (_c, ids) => all.filter((f) => ids.includes(f.id)),
    });
    v = await flowView(s.folder.cluster, t, all, { drawAll: true, budget: { left: 8 } });
    if (s.flows.size > 200) s.flows.clear();
    s.flows.set(key, v);
  }
  const svc = s.report.matrix.services.find(
    (x) => x.ip === flow.dst && x.port === flow.dport && x.proto === flow.proto,
  );
  const cell = svc ? s.report.matrix.cells.get(cellKey(flow.src, svc)) : undefined;
  const body = [`<h1>flow ${esc(`${flow.src} → ${flow.dst}:${flow.dport}/${flow.proto}`)}</h1>`];
  if (cell)
    body.push(
      `<p class="muted">matrix cell: ${esc(cell.outcome)} (${cell.ok}/${cell.total} paths connect)</p>`,
    );
  body.push(renderFlow(v, s.report.names));
  return page(`podpath: flow ${flow.src} to ${flow.dst}:${flow.dport}`, body.join('\n'), { nav: NAV });
}

export async function handle(s: ServeState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const head = req.method === 'HEAD';
  if (req.method !== 'GET' && !head) {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, errorPage(405, 'only GET and HEAD'), false);
  }
  if (s.allowedHosts) {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    if (!s.allowedHosts.has(host))
      return send(res, 421, errorPage(421, `unexpected Host header: ${host}`), head);
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/') return send(res, 200, indexPage(s), head);
  if (url.pathname.startsWith('/node/')) {
    let name: string;
    try {
      name = decodeURIComponent(url.pathname.slice('/node/'.length));
    } catch {
      return send(res, 400, errorPage(400, 'bad node name in the URL'), head);
    }
    const html = nodePage(s, name);
    return html
      ? send(res, 200, html, head)
      : send(res, 404, errorPage(404, `no node ${name} in this folder`), head);
  }
  if (url.pathname === '/flow') {
    const flow = parseFlowQuery(url.searchParams);
    if (typeof flow === 'string') return send(res, 400, errorPage(400, flow), head);
    try {
      return send(res, 200, await flowPage(s, flow), head);
    } catch (e) {
      if (e instanceof TraceError) return send(res, 404, errorPage(404, e.message), head);
      throw e;
    }
  }
  return send(res, 404, errorPage(404, `no page ${url.pathname}`), head);
}

export function makeServer(s: ServeState): Server {
  return createServer((req, res) => {
    handle(s, req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, errorPage(500, `internal error: ${(e as Error).message}`), false);
      else res.destroy();
    });
  });
}
