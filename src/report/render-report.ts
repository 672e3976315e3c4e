/**
 * @module report/render-report
 * A report model -> HTML sections: summary, check findings, the pod -> Service matrix, each
 * failing flow (where it breaks, cause, evidence, fix, the diagram, every hop) and the
 * capture timeline. Every string that came from a node, the API or a capture goes through
 * `esc`. `links` lets `podpath serve` point cells and nodes at its own pages.
 */
import type { Finding } from '../checks/types.js';
import type { Hop } from '../sim/types.js';
import { nameEndpoint, nameIp, type Names } from '../diagnose/names.js';
import { esc, escClip } from './escape.js';
import { page } from './page.js';
import { cellKey, type Matrix } from './matrix.js';
import type { FlowView, PathView, ReportModel } from './build-report.js';
import { renderTimelineSvg } from './timeline.js';
import type { PcapReport } from '../pcap/types.js';

export interface Links {
  flow(f: { proto: string; src: string; dst: string; dport: number }, id: string): string;
  node?(name: string): string;
}

/** Links inside one self-contained file: flows are sections of the same page. */
export const FILE_LINKS: Links = { flow: (_f, id) => `#${id}` };

const FIX_LABEL = { runtime: 'fix now', persistent: 'keep it fixed', alternative: 'or' } as const;

function bdi(s: string): string {
  return `<bdi>${esc(s)}</bdi>`;
}

/** A name in a narrow cell: at most 40 characters, the full name in the tooltip. */
function short(s: string): string {
  return [...s].length > 40 ? `<bdi title="${esc(s)}">${escClip(s, 40)}</bdi>` : bdi(s);
}

function outcome(o: string): string {
  return `<span class="o o-${esc(o)}">${esc(o)}</span>`;
}

export function renderFinding(f: Finding, links?: Links): string {
  const node = links?.node ? `<a href="${esc(links.node(f.node))}">${bdi(f.node)}</a>` : bdi(f.node);
  const o = [
    `<section class="finding ${esc(f.severity)}" data-check="${esc(f.id)}">`,
    `<h3><span class="sev sev-${esc(f.severity)}">${esc(f.severity)}</span> <code>${esc(f.id)}</code> on ${node}</h3>`,
    `<p class="name">${bdi(f.title)}</p>`,
    '<dl class="kv">',
  ];
  if (f.symptom) o.push(`<dt>symptom</dt><dd>${bdi(f.symptom)}</dd>`);
  for (const e of f.evidence.slice(0, 6))
    o.push(
      `<dt>evidence</dt><dd><code>${esc(e.text)}</code> <span class="muted">${esc(e.source)}${e.line ? `:${esc(e.line)}` : ''}</span></dd>`,
    );
  if (f.evidence.length > 6) o.push(`<dt></dt><dd class="muted">and ${f.evidence.length - 6} more</dd>`);
  for (const x of f.fix)
    o.push(
      `<dt>${esc(FIX_LABEL[x.kind] ?? x.kind)}</dt><dd>${esc(x.description)}<pre>${esc(x.commands.join('\n'))}</pre></dd>`,
    );
  if (f.references.length) o.push(`<dt>see</dt><dd>${f.references.map((r) => esc(r)).join(', ')}</dd>`);
  o.push('</dl></section>');
  return o.join('\n');
}

export function renderFindings(fs: Finding[], links?: Links): string {
  if (!fs.length) return '<p>No check found a problem in these snapshots.</p>';
  return fs.map((f) => renderFinding(f, links)).join('\n');
}

export function renderMatrix(m: Matrix, flowIds: Map<string, string>, links: Links): string {
  if (!m.sources.length || !m.services.length)
    return `<p class="muted">No matrix: ${m.sources.length} pod(s) with an address, ${m.services.length} Service(s) found in the kube-proxy rules.</p>`;
  const o = ['<table class="matrix"><thead><tr><th>pod \\ Service</th>'];
  for (const s of m.services)
    o.push(
      `<th class="name">${bdi(s.name)}<br><span class="muted mono">${esc(`${s.ip}:${s.port}/${s.proto}`)}</span></th>`,
    );
  o.push('</tr></thead><tbody>');
  for (const src of m.sources) {
    o.push(
      `<tr><th class="name">${bdi(src.name)}<br><span class="muted mono">${esc(src.ip)} on ${bdi(src.node)}</span></th>`,
    );
    for (const s of m.services) {
      const key = cellKey(src.ip, s);
      const c = m.cells.get(key);
      if (!c) {
        o.push('<td>-</td>');
        continue;
      }
      const label = c.outcome === 'error' ? 'error' : `${c.outcome} ${c.ok}/${c.total}`;
      const id = flowIds.get(key);
      const text = `<span class="o o-${esc(c.outcome)}">${esc(label)}</span>`;
      const href = id ? links.flow({ proto: s.proto, src: src.ip, dst: s.ip, dport: s.port }, id) : undefined;
      o.push(
        `<td class="cell-${esc(c.outcome)}"${c.error ? ` title="${esc(c.error)}"` : ''}>${href ? `<a href="${esc(href)}">${text}</a>` : text}</td>`,
      );
    }
    o.push('</tr>');
  }
  o.push('</tbody></table>');
  o.push(
    '<p class="muted">Each cell is one simulated connect() from the pod to the Service: paths that connect / all load-balancing paths.</p>',
  );
  return o.join('\n');
}

function hopRows(hops: Hop[], broken: number | undefined, cause: string): string {
  return hops
    .map((h, i) => {
      const rule = h.rule ? `${h.rule.table}/${h.rule.chain} ${h.rule.source}:${h.rule.line}` : '';
      const note = i === broken ? `${h.note ?? ''} — ${cause}` : (h.note ?? '');
      return `<tr class="${i === broken ? 'hop-broken' : 'hop'}"><td>${i + 1}</td><td class="nw">${short(h.node)}</td><td class="mono nw">${short(h.ns)}</td><td class="mono nw">${short(h.device ?? '')}</td><td class="mono nw">${esc(h.stage)}${h.detail ? ` <span class="muted">${esc(h.detail)}</span>` : ''}</td><td class="nw">${esc(h.verdict)}</td><td class="name">${esc(note)}${rule ? `<br><span class="muted mono">${esc(rule)}</span>` : ''}</td></tr>`;
    })
    .join('\n');
}

function hopTable(
  leg: string,
  hops: Hop[],
  broken: number | undefined,
  cause: string,
  open: boolean,
): string {
  return `<details class="hops"${open ? ' open' : ''}><summary>${esc(leg)}: ${hops.length} hops</summary>
<table><thead><tr><th>#</th><th>node</th><th>namespace</th><th>device</th><th>stage (kernel function)</th><th>verdict</th><th>what happens</th></tr></thead>
<tbody>${hopRows(hops, broken, cause)}</tbody></table></details>`;
}

const LEGEND = `<div class="legend"><span><span class="sw"></span>request</span><span><span class="sw rep"></span>reply</span><span><span class="sw bad"></span>where it breaks</span><span class="muted">faded boxes: hooks and tables the packets did not pass</span></div>`;

export function renderPath(pv: PathView, names: Names, i: number): string {
  const p = pv.path;
  const o = [
    `<div class="path" data-outcome="${esc(p.outcome)}"><h4>path ${i + 1}: to ${bdi(nameEndpoint(names, p.endpoint))} on ${bdi(p.endpointNode ?? '?')} (${(p.probability * 100).toFixed(0)}%) ${outcome(p.outcome)}</h4>`,
  ];
  const at = p.breaksAt && p.outcome !== 'connected' ? p.breaksAt : undefined;
  if (pv.svg) o.push(`<div class="diagram">${pv.svg}</div>${LEGEND}`);
  if (at) {
    const h = (at.leg === 'request' ? p.request : p.reply)[at.index];
    o.push('<div class="breaks">');
    o.push(
      `<h4>breaks at ${esc(at.leg)} hop ${at.index + 1}: ${h ? `${bdi(h.node)} <code>${esc(h.stage)}</code> ${esc(h.device ?? '')}` : ''}</h4>`,
    );
    o.push(`<p class="name"><b>cause</b> ${esc(p.cause)}</p>`);
    if (h?.note) o.push(`<p class="name muted">${esc(h.note)}</p>`);
    for (const f of pv.findings) {
      o.push(
        `<p><span class="sev sev-${esc(f.severity)}">${esc(f.severity)}</span> <code>${esc(f.id)}</code> ${bdi(f.title)}</p><dl class="kv">`,
      );
      for (const e of f.evidence.slice(0, 2))
        o.push(
          `<dt>evidence</dt><dd><code>${esc(e.text)}</code> <span class="muted">${esc(e.source)}${e.line ? `:${esc(e.line)}` : ''}</span></dd>`,
        );
      for (const x of f.fix)
        o.push(
          `<dt>${esc(FIX_LABEL[x.kind] ?? x.kind)}</dt><dd><pre>${esc(x.commands.join('\n'))}</pre></dd>`,
        );
      o.push('</dl>');
    }
    o.push('</div>');
  } else if (p.outcome !== 'connected') o.push(`<p class="name"><b>cause</b> ${esc(p.cause)}</p>`);
  o.push(hopTable('request', p.request, at?.leg === 'request' ? at.index : undefined, p.cause, false));
  o.push(
    hopTable('reply', p.reply, at?.leg === 'reply' ? at.index : undefined, p.cause, at?.leg === 'reply'),
  );
  if (p.assumptions.length)
    o.push(`<p class="muted">assumed: ${p.assumptions.map((a) => esc(a)).join('; ')}</p>`);
  o.push('</div>');
  return o.join('\n');
}

export function renderFlow(v: FlowView, names: Names): string {
  const t = v.trace;
  const o = [
    `<section class="flow" id="${esc(v.id)}">`,
    `<h3>${bdi(nameIp(names, t.flow.src))} → ${bdi(nameEndpoint(names, `${t.flow.dst}:${t.flow.dport}`))} ${esc(t.flow.proto)}: ${outcome(t.outcome)}</h3>`,
  ];
  v.paths.forEach((pv, i) => o.push(renderPath(pv, names, i)));
  if (t.assumptions.length)
    o.push(`<p class="muted">trace assumptions: ${t.assumptions.map((a) => esc(a)).join('; ')}</p>`);
  o.push('</section>');
  return o.join('\n');
}

export function renderCapture(r: PcapReport): string {
  const o = [
    `<p>${esc(r.file)}: ${esc(r.format)}, ${esc(r.packets)} packets, ${esc(r.flows)} flows, ${esc(r.duration.toFixed(3))} s; ${r.findings.length} finding(s).</p>`,
  ];
  if (r.findings.length) o.push(`<div class="diagram">${renderTimelineSvg(r, 'timeline')}</div>`);
  for (const f of r.findings) {
    o.push(
      `<section class="finding ${esc(f.severity)}" data-check="${esc(f.id)}"><h3><span class="sev sev-${esc(f.severity)}">${esc(f.severity)}</span> <code>${esc(f.id)}</code> ×${esc(f.count)}</h3><p class="name">${bdi(f.title)}</p>`,
    );
    o.push(
      `<pre>${esc(
        f.packets
          .slice(0, 8)
          .map((p) => `${p.source}  ${p.time}  ${p.summary}`)
          .join('\n'),
      )}</pre>`,
    );
    for (const x of f.fix)
      o.push(`<p>${esc(FIX_LABEL[x.kind] ?? x.kind)}: <code>${esc(x.commands.join('  &&  '))}</code></p>`);
    o.push('</section>');
  }
  return o.join('\n');
}

export function flowIdsOf(flows: FlowView[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const f of flows)
    m.set(`${f.trace.flow.src}>${f.trace.flow.dst}:${f.trace.flow.dport}/${f.trace.flow.proto}`, f.id);
  return m;
}

export function renderSummary(r: ReportModel, links?: Links): string {
  const crit = r.findings.filter((f) => f.severity === 'critical').length;
  const warn = r.findings.filter((f) => f.severity === 'warning').length;
  const cells = [...r.matrix.cells.values()];
  const bad = cells.filter((c) => c.outcome !== 'connected').length;
  const nodes = r.cluster.nodes
    .map((n) => (links?.node ? `<a href="${esc(links.node(n.name))}">${bdi(n.name)}</a>` : bdi(n.name)))
    .join(', ');
  return `<p class="muted">generated ${esc(r.generatedAt)} from ${r.files.map((f) => `<code>${esc(f)}</code>`).join(' ')}</p>
<ul class="summary"><li>nodes: ${nodes}</li><li>${crit} critical and ${warn} warning finding(s) from the checks</li>
<li>${bad} of ${cells.length} pod → Service pair(s) do not always connect</li>${r.pcap ? `<li>capture: ${r.pcap.findings.length} finding(s)</li>` : ''}</ul>`;
}

export function renderReport(r: ReportModel): string {
  const nav = `<nav class="top"><a href="#findings">findings</a><a href="#matrix">matrix</a><a href="#flows">failing flows</a>${r.pcap ? '<a href="#capture">capture</a>' : ''}</nav>`;
  const body = [
    `<h1>${esc(r.title)}</h1>`,
    renderSummary(r),
    '<h2 id="findings">Check findings</h2>',
    renderFindings(r.findings),
    r.skipped.length ? `<p class="muted">${r.skipped.length} check(s) skipped for missing data.</p>` : '',
    '<h2 id="matrix">Pod → Service matrix</h2>',
    renderMatrix(r.matrix, flowIdsOf(r.flows), FILE_LINKS),
    '<h2 id="flows">Failing flows</h2>',
    r.flows.length
      ? r.flows.map((f) => renderFlow(f, r.names)).join('\n')
      : '<p>Every simulated flow connects.</p>',
    r.pcap ? `<h2 id="capture">Capture</h2>${renderCapture(r.pcap)}` : '',
  ].join('\n');
  return page(r.title, body, { nav });
}
