/**
 * @module lab/probe/conntrack-entries
 * The few fields of `conntrack -L` lines the probe needs to tell which endpoint the DNAT
 * chose for an attempt that timed out: original sport/dst, reply src/sport.
 */

export interface CtTuplePair {
  proto: string;
  orig: { src: string; dst: string; sport?: number; dport?: number };
  reply: { src: string; dst: string; sport?: number; dport?: number };
  state?: string;
}

function tuple(fields: Map<string, string>[], i: number): CtTuplePair['orig'] | undefined {
  const f = fields[i];
  if (!f || !f.has('src') || !f.has('dst')) return undefined;
  const num = (k: string): number | undefined => (f.has(k) ? Number(f.get(k)) : undefined);
  const t: CtTuplePair['orig'] = { src: f.get('src')!, dst: f.get('dst')! };
  const sport = num('sport');
  const dport = num('dport');
  if (sport !== undefined) t.sport = sport;
  if (dport !== undefined) t.dport = dport;
  return t;
}

/** Parses `conntrack -L` output; lines it does not understand are skipped. */
export function parseConntrackLines(text: string): CtTuplePair[] {
  const out: CtTuplePair[] = [];
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words.length < 4 || !/^[a-z]+$/.test(words[0] ?? '')) continue;
    const groups: Map<string, string>[] = [new Map()];
    let state: string | undefined;
    for (const w of words) {
      const eq = w.indexOf('=');
      if (eq < 0) {
        if (/^[A-Z_]+$/.test(w)) state ??= w;
        continue;
      }
      const k = w.slice(0, eq);
      if (k === 'src' && groups[groups.length - 1]!.has('src')) groups.push(new Map());
      groups[groups.length - 1]!.set(k, w.slice(eq + 1));
    }
    const orig = tuple(groups, 0);
    const reply = tuple(groups, 1);
    if (!orig || !reply) continue;
    const e: CtTuplePair = { proto: words[0]!, orig, reply };
    if (state) e.state = state;
    out.push(e);
  }
  return out;
}

/** The endpoint (`ip:port`) the DNAT chose for the connection from `sport` to dst:dport. */
export function chosenEndpoint(
  entries: CtTuplePair[],
  sport: number,
  dst: string,
  dport: number,
): string | undefined {
  const e = entries.find((x) => x.orig.sport === sport && x.orig.dst === dst && x.orig.dport === dport);
  if (!e) return undefined;
  if (e.reply.src === dst && e.reply.sport === dport) return undefined; // not DNATed (e.g. REJECTed)
  return `${e.reply.src}:${e.reply.sport ?? ''}`;
}
