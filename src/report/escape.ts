/**
 * @module report/escape
 * Escaping for every string that reaches HTML or SVG from a node or the API: pod names,
 * labels, rule comments, file names. Text and attribute values both go through `esc`;
 * bidirectional controls are made visible so that an RTL mark cannot reorder a line.
 */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Unicode bidi controls (LRE..RLO, LRI..PDI, LRM, RLM, ALM) and other invisible format characters. */
const INVISIBLE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** Text or attribute value -> safe HTML/SVG text; invisible controls become `<U+XXXX>` placeholders. */
export const INVISIBLE_CHARS = INVISIBLE;

export function esc(s: string | number | undefined | null): string {
  if (s === undefined || s === null) return '';
  return String(s)
    .replace(INVISIBLE, (c) => `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`)
    .replace(/[&<>"'`]/g, (c) => ENTITIES[c]!);
}

/** At most `max` characters (by code point), with an ellipsis when cut. */
export function clip(s: string, max: number): string {
  const cps = [...s];
  return cps.length <= max ? s : `${cps.slice(0, Math.max(1, max - 1)).join('')}…`;
}

/** Clipped and escaped, for fixed-width places such as SVG boxes. */
export function escClip(s: string, max: number): string {
  return esc(clip(s, max));
}

/** A value usable in an `id` / URL fragment: only [a-z0-9-], derived from any string. */
export function slug(s: string): string {
  const base = s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return `${base || 'x'}-${(h >>> 0).toString(36)}`;
}
