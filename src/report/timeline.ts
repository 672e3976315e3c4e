/**
 * @module report/timeline
 * Capture findings on a time axis: one row per finding, a mark per packet of its evidence,
 * positioned by capture timestamp from the first to the last packet. Pure SVG markup.
 */
import type { PcapReport } from '../pcap/types.js';
import { esc, escClip } from './escape.js';

const LEFT = 300;
const WIDTH = 1000;
const ROW = 26;

function tickLabel(dt: number, span: number): string {
  return span < 2 ? `+${(dt * 1000).toFixed(0)} ms` : `+${dt.toFixed(span < 20 ? 1 : 0)} s`;
}

export function renderTimelineSvg(r: PcapReport, idPrefix: string): string {
  const rows = r.findings;
  const t0 = r.firstTs;
  const span = Math.max(r.lastTs - r.firstTs, 1e-3);
  const h = 30 + rows.length * ROW + 24;
  const x = (ts: number): number => LEFT + ((ts - t0) / span) * (WIDTH - LEFT - 20);
  const o: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" viewBox="0 0 ${WIDTH} ${h}" width="${WIDTH}" height="${h}" aria-labelledby="${idPrefix}-t">`,
    `<title id="${idPrefix}-t">${esc(`capture findings of ${r.file} over time`)}</title>`,
  ];
  for (let i = 0; i <= 5; i++) {
    const tx = LEFT + (i / 5) * (WIDTH - LEFT - 20);
    o.push(`<line class="tl-grid" x1="${tx.toFixed(1)}" y1="20" x2="${tx.toFixed(1)}" y2="${h - 20}"/>`);
    o.push(
      `<text class="tl-tick" text-anchor="middle" x="${tx.toFixed(1)}" y="${h - 6}">${esc(tickLabel((i / 5) * span, span))}</text>`,
    );
  }
  rows.forEach((f, i) => {
    const y = 30 + i * ROW;
    o.push(`<g class="tl-finding"><title>${esc(`${f.id} (${f.severity}, ${f.count}×): ${f.title}`)}</title>`);
    o.push(`<rect class="tl-row" x="0" y="${y - 2}" width="${WIDTH}" height="${ROW - 4}"/>`);
    o.push(`<text class="tl-txt" x="6" y="${y + 14}">${escClip(`${f.id} ×${f.count}`, 40)}</text>`);
    for (const p of f.packets) {
      o.push(
        `<circle class="tl-dot ${f.severity}" cx="${x(p.ts).toFixed(1)}" cy="${y + 9}" r="5"><title>${esc(`#${p.n} ${p.time} ${p.summary}`)}</title></circle>`,
      );
    }
    o.push('</g>');
  });
  o.push(`<line class="tl-axis" x1="${LEFT}" y1="${h - 20}" x2="${WIDTH - 20}" y2="${h - 20}"/>`);
  o.push('</svg>');
  return o.join('\n');
}
