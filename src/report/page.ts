/**
 * @module report/page
 * The HTML shell shared by `podpath report` and `podpath serve`: one inline stylesheet
 * (light and dark via prefers-color-scheme, @media print), no script, and a
 * Content-Security-Policy that allows exactly that stylesheet (by hash) and nothing else.
 */
import { createHash } from 'node:crypto';
import { esc } from './escape.js';

export const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#59636e;--line:#d0d7de;--panel:#f6f8fa;
--req:#0969da;--rep:#bf8700;--bad:#cf222e;--bad-bg:#ffebe9;--ok:#1a7f37;--ok-bg:#dafbe1;--warn:#9a6700;--warn-bg:#fff8c5;
--node:#f6f8fa;--pod:#ddf4ff;--dev:#fff;--hook:#fbefff;--table:#fff;--route:#eaeef2;--vx:#fff1e5;--callout:#ffebe9}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--panel:#151b23;
--req:#4493f8;--rep:#d29922;--bad:#f85149;--bad-bg:#3c1618;--ok:#3fb950;--ok-bg:#12261e;--warn:#d29922;--warn-bg:#272115;
--node:#151b23;--pod:#0c2d6b;--dev:#0d1117;--hook:#271c3a;--table:#0d1117;--route:#212830;--vx:#3a1d0e;--callout:#3c1618}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
main{max-width:1280px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
a{color:var(--req)}
.muted{color:var(--muted)}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
pre{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:8px 10px;white-space:pre-wrap;overflow-wrap:anywhere;margin:4px 0}
.name,td,th,li,p,h1,h2,h3,h4,dd,summary{overflow-wrap:anywhere;unicode-bidi:plaintext}
bdi{unicode-bidi:isolate;overflow-wrap:anywhere}
nav.top{display:flex;gap:14px;flex-wrap:wrap;font-size:13px;border-bottom:1px solid var(--line);padding:6px 0;margin-bottom:8px}
table{border-collapse:collapse;margin:6px 0;max-width:100%}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
td.nw{white-space:nowrap}table.matrix th,table.matrix td{max-width:22em}
th{background:var(--panel);font-weight:600}
.sev{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600}
.sev-critical{background:var(--bad-bg);color:var(--bad)}.sev-warning{background:var(--warn-bg);color:var(--warn)}.sev-info{background:var(--panel);color:var(--muted)}
.o{font-weight:600;white-space:nowrap}.o-connected{color:var(--ok)}.o-timeout,.o-refused,.o-unreachable,.o-error{color:var(--bad)}.o-mixed{color:var(--warn)}.o-unknown{color:var(--muted)}
td.cell-connected{background:var(--ok-bg)}td.cell-mixed{background:var(--warn-bg)}td.cell-timeout,td.cell-refused,td.cell-unreachable,td.cell-error{background:var(--bad-bg)}
.finding{border:1px solid var(--line);border-radius:8px;padding:8px 12px;margin:10px 0;background:var(--bg)}
.finding.critical{border-left:4px solid var(--bad)}.finding.warning{border-left:4px solid var(--warn)}.finding.info{border-left:4px solid var(--line)}
.finding h3{margin:2px 0 6px}
.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px}
.kv>dt{color:var(--muted)}.kv>dd{margin:0;overflow-wrap:anywhere}
.breaks{border:2px solid var(--bad);background:var(--bad-bg);border-radius:8px;padding:8px 12px;margin:10px 0}
.breaks h4{margin:0 0 4px;color:var(--bad)}
.diagram{overflow-x:auto;border:1px solid var(--line);border-radius:8px;background:var(--bg);padding:6px;margin:8px 0}
.legend{display:flex;gap:18px;font-size:12px;color:var(--muted);flex-wrap:wrap}
.legend .sw{display:inline-block;width:26px;height:0;border-top:2px solid var(--req);vertical-align:middle;margin-right:4px}
.legend .sw.rep{border-top:2px dashed var(--rep)}.legend .sw.bad{border-top:3px solid var(--bad)}
tr.hop-broken td{background:var(--bad-bg);font-weight:600}
tr.hop-broken td:first-child::before{content:"✗ ";color:var(--bad)}
svg{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;max-width:none}
svg .box rect{fill:var(--dev);stroke:var(--line);stroke-width:1}
svg .k-node>rect{fill:var(--node);stroke:var(--muted);stroke-width:1.5}
svg .k-pod>rect{fill:var(--pod)}svg .k-hook>rect{fill:var(--hook)}svg .k-table>rect{fill:var(--table)}
svg .k-routing>rect,svg .k-socket>rect{fill:var(--route)}svg .k-vxlan>rect{fill:var(--vx)}svg .k-bridge>rect{stroke-width:2}
svg .k-callout>rect{fill:var(--callout);stroke:var(--bad);stroke-dasharray:4 2}
svg .unvisited{opacity:.45}
svg .box.broken>rect{stroke:var(--bad);stroke-width:3}
svg .lbl{fill:var(--fg)}svg .lbl-head{font-weight:700}svg .lbl-sub{fill:var(--muted);font-size:11px}
svg .broken>.lbl,svg .k-callout .lbl{fill:var(--bad);font-weight:700}
svg .arrow{fill:none;stroke-width:1.8}
svg .a-request{stroke:var(--req)}svg .a-reply{stroke:var(--rep);stroke-dasharray:6 3}
svg .a-callout{stroke:var(--bad);stroke-dasharray:2 3;stroke-width:1.2}svg .a-broken{stroke:var(--bad);stroke-width:3}
svg .mk path{fill:var(--req)}svg .mk-reply path{fill:var(--rep)}svg .mk-broken path,svg .mk-callout path{fill:var(--bad)}
svg .tl-axis{stroke:var(--muted)}svg .tl-grid{stroke:var(--line)}svg .tl-dot{fill:var(--req)}svg .tl-dot.critical{fill:var(--bad)}svg .tl-dot.warning{fill:var(--warn)}
svg .tl-row{fill:var(--panel)}svg .tl-txt{fill:var(--fg)}svg .tl-tick{fill:var(--muted);font-size:10px}
footer{margin-top:32px;color:var(--muted);font-size:12px}
@media print{:root{--bg:#fff;--fg:#000;--panel:#f4f4f4;--node:#fafafa;--pod:#eef6ff;--hook:#f8f0ff;--route:#f0f0f0;--vx:#fff4ea;--dev:#fff;--table:#fff;--callout:#ffecec}
body{font-size:11px}main{max-width:none;padding:0}nav.top,.noprint{display:none}
details{display:block}details>summary{list-style:none}
.diagram{overflow:visible;border:none;break-inside:avoid}.diagram svg{max-width:100%;height:auto}
.finding,.breaks,table,tr{break-inside:avoid}h2{break-after:avoid}a{color:inherit;text-decoration:none}}
`;

export function styleHash(css: string = STYLE): string {
  return `'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`;
}

/** The policy of every page: no script at all, only the one stylesheet, no fetches, no frames, no forms. */
export function contentSecurityPolicy(opts: { header?: boolean } = {}): string {
  const p = [
    "default-src 'none'",
    `style-src ${styleHash()}`,
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
  ];
  // frame-ancestors only works as a header (browsers warn about it in a <meta> policy)
  if (opts.header) p.push("frame-ancestors 'none'");
  return p.join('; ');
}

export function page(title: string, body: string, opts: { nav?: string } = {}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${esc(contentSecurityPolicy())}">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<meta name="generator" content="podpath 0.1.0">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${opts.nav ?? ''}
${body}
<footer>Made by podpath 0.1.0 from node snapshots; every result is a simulation of the data plane those snapshots describe.</footer>
</main>
</body>
</html>
`;
}
