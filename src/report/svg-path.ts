/**
 * @module report/svg-path
 * A laid-out path graph -> SVG markup: boxes styled by kind (the page's stylesheet colours
 * them for light and dark), the request as solid arrows, the reply as dashed ones, the box
 * where the path breaks in red with a cross. Every label is escaped and clipped; the full
 * text is in a <title> tooltip. Presentation is by class only (no style attributes: CSP).
 */
import { esc, escClip } from './escape.js';
import { CHAR_W, LINE_H, MAX_LABEL, type PathLayout } from './layout-path.js';

const r1 = (n: number): string => String(Math.round(n * 10) / 10);

export function renderPathSvg(l: PathLayout, idPrefix: string, title: string): string {
  const o: string[] = [];
  const w = Math.ceil(l.width);
  const h = Math.ceil(l.height);
  o.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="path-diagram" role="img" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" aria-labelledby="${idPrefix}-t">`,
    `<title id="${idPrefix}-t">${esc(title)}</title>`,
    '<defs>',
    ...(['request', 'reply', 'broken', 'callout'] as const).map(
      (k) =>
        `<marker id="${idPrefix}-m-${k}" class="mk mk-${k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>`,
    ),
    '</defs>',
  );
  for (const b of l.boxes) {
    const e = b.el;
    const cls = [
      'box',
      `k-${e.kind}`,
      e.broken ? 'broken' : '',
      e.visits.length || b.compound || e.kind === 'callout' ? '' : 'unvisited',
    ]
      .filter(Boolean)
      .join(' ');
    const tip = `${e.label}${e.sub ? `\n${e.sub}` : ''}${e.visits.length ? `\nhops: ${e.visits.join(' ')}` : e.kind === 'table' ? '\nnot traversed' : ''}${e.broken ? '\nthe path breaks here' : ''}`;
    o.push(`<g class="${cls}" data-id="${esc(e.id)}"><title>${esc(tip)}</title>`);
    o.push(
      `<rect x="${r1(b.x)}" y="${r1(b.y)}" width="${r1(b.w)}" height="${r1(b.h)}" rx="${e.kind === 'node' ? 8 : 4}"/>`,
    );
    const max =
      e.kind === 'callout' ? 48 : b.compound ? Math.max(4, Math.floor((b.w - 16) / CHAR_W)) : MAX_LABEL;
    const label = `${e.broken ? '✗ ' : ''}${e.label}`;
    if (b.compound) {
      o.push(
        `<text class="lbl lbl-head" x="${r1(b.x + 8)}" y="${r1(b.y + 15)}">${escClip(label, max)}</text>`,
      );
      if (e.sub)
        o.push(
          `<text class="lbl lbl-sub" x="${r1(b.x + 8)}" y="${r1(b.y + 15 + LINE_H)}">${escClip(e.sub, max)}</text>`,
        );
    } else {
      const cx = b.x + b.w / 2;
      const top = e.sub ? b.y + b.h / 2 - 3 : b.y + b.h / 2 + 4;
      o.push(
        `<text class="lbl" text-anchor="middle" x="${r1(cx)}" y="${r1(top)}">${escClip(label, max)}</text>`,
      );
      if (e.sub)
        o.push(
          `<text class="lbl lbl-sub" text-anchor="middle" x="${r1(cx)}" y="${r1(top + LINE_H - 2)}">${escClip(e.sub, max)}</text>`,
        );
    }
    o.push('</g>');
  }
  for (const r of l.routes) {
    const k = r.arrow.broken ? 'broken' : r.arrow.leg;
    const d = r.points.map((p, i) => `${i ? 'L' : 'M'}${r1(p.x)},${r1(p.y)}`).join(' ');
    o.push(
      `<path class="arrow a-${r.arrow.leg}${r.arrow.broken ? ' a-broken' : ''}" d="${d}" marker-end="url(#${idPrefix}-m-${k})"/>`,
    );
  }
  o.push('</svg>');
  return o.join('\n');
}
