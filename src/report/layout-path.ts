/**
 * @module report/layout-path
 * Lays out a path graph with elkjs in Node, when the report is generated (the HTML carries
 * finished coordinates, no script runs in the page). Each node box is one layered layout,
 * left to right; the node boxes are stacked top to bottom in the order the request meets
 * them, and an arrow between nodes (the wire, VXLAN underlay) leaves its node by a port on
 * the box edge that faces the other node, so elkjs routes it to the border cleanly.
 */
import elkjs from 'elkjs';
import type { ElkExtendedEdge, ElkNode, ElkPort } from 'elkjs';
import { clip } from './escape.js';
import type { Arrow, Element, PathGraph } from './path-graph.js';

export const CHAR_W = 7.2;
export const LINE_H = 15;
/** longest label drawn in a box, in characters (longer ones are cut, the full text is in the tooltip) */
export const MAX_LABEL = 34;
const MARGIN = 8;
const GAP = 44;

export interface Box {
  el: Element;
  x: number;
  y: number;
  w: number;
  h: number;
  compound: boolean;
}

export interface Route {
  arrow: Arrow;
  points: { x: number; y: number }[];
}

export interface PathLayout {
  width: number;
  height: number;
  boxes: Box[];
  routes: Route[];
}

function leafSize(e: Element): { width: number; height: number } {
  const max = e.kind === 'callout' ? 48 : MAX_LABEL;
  const chars = Math.max(clip(e.label, max).length, e.sub ? clip(e.sub, max).length : 0, 4);
  return { width: Math.ceil(chars * CHAR_W + 18), height: e.sub ? 2 * LINE_H + 10 : LINE_H + 12 };
}

// elkjs is CommonJS: under NodeNext its default export is `module.exports`, whose `.default` is the class
const elk = new elkjs.default();

const LAYERED = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.spacing.nodeNode': '14',
  'elk.layered.spacing.nodeNodeBetweenLayers': '26',
  'elk.layered.spacing.edgeNodeBetweenLayers': '12',
  'elk.spacing.edgeEdge': '6',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.json.edgeCoords': 'ROOT',
  'elk.json.shapeCoords': 'ROOT',
  'elk.padding': '[top=0,left=0,bottom=0,right=0]',
};

/** the node box an element belongs to */
function nodeOf(byId: Map<string, Element>, id: string): string {
  let e = byId.get(id);
  while (e?.parent) e = byId.get(e.parent);
  return e?.id ?? id;
}

export async function layoutPath(g: PathGraph): Promise<PathLayout> {
  const byId = new Map(g.elements.map((e) => [e.id, e]));
  const children = new Map<string, string[]>();
  for (const e of g.elements) {
    const list = children.get(e.parent ?? '') ?? [];
    list.push(e.id);
    children.set(e.parent ?? '', list);
  }
  const build = (id: string): ElkNode => {
    const e = byId.get(id)!;
    const kids = children.get(id);
    if (!kids) return { id, ...leafSize(e) };
    return {
      id,
      children: kids.map(build),
      layoutOptions: {
        'elk.padding': '[top=22,left=6,bottom=6,right=6]',
        'elk.nodeSize.constraints': 'MINIMUM_SIZE',
        'elk.nodeSize.minimum': `(${Math.ceil(clip(e.label, MAX_LABEL).length * CHAR_W + 24)},30)`,
      },
    };
  };
  const tops = children.get('') ?? [];
  const order = new Map(tops.map((id, i) => [id, i]));
  // the reply mostly retraces the request backwards: laid out reversed, all arrows point one way
  // and the layers follow the request; the reply is drawn from its real start again below
  const ends = (a: Arrow): [string, string] => (a.leg === 'reply' ? [a.to, a.from] : [a.from, a.to]);
  const inner = new Map<string, ElkExtendedEdge[]>();
  const ports = new Map<string, ElkPort[]>();
  const cross: { arrow: Arrow; out: string; in: string }[] = [];
  for (const a of g.arrows) {
    const [s, t] = ends(a);
    const ns = nodeOf(byId, s);
    const nt = nodeOf(byId, t);
    if (ns === nt) {
      inner.set(ns, [...(inner.get(ns) ?? []), { id: a.id, sources: [s], targets: [t] }]);
      continue;
    }
    const down = (order.get(nt) ?? 0) > (order.get(ns) ?? 0);
    const out = `${a.id}-out`;
    const inp = `${a.id}-in`;
    ports.set(ns, [
      ...(ports.get(ns) ?? []),
      { id: out, width: 1, height: 1, layoutOptions: { 'elk.port.side': down ? 'SOUTH' : 'NORTH' } },
    ]);
    ports.set(nt, [
      ...(ports.get(nt) ?? []),
      { id: inp, width: 1, height: 1, layoutOptions: { 'elk.port.side': down ? 'NORTH' : 'SOUTH' } },
    ]);
    inner.set(ns, [...(inner.get(ns) ?? []), { id: `${a.id}-a`, sources: [s], targets: [out] }]);
    inner.set(nt, [...(inner.get(nt) ?? []), { id: `${a.id}-b`, sources: [inp], targets: [t] }]);
    cross.push({ arrow: a, out, in: inp });
  }
  // the tables of a hook as a row in priority order: invisible edges chain them (never drawn)
  for (const e of g.elements) {
    if (e.kind !== 'hook') continue;
    const kids = children.get(e.id) ?? [];
    const node = nodeOf(byId, e.id);
    for (let i = 1; i < kids.length; i++)
      inner.set(node, [
        ...(inner.get(node) ?? []),
        { id: `order:${kids[i - 1]}`, sources: [kids[i - 1]!], targets: [kids[i]!] },
      ]);
  }
  const boxes: Box[] = [];
  const sections = new Map<string, { x: number; y: number }[]>();
  const portAt = new Map<string, { x: number; y: number }>();
  let y = MARGIN;
  let width = 0;
  for (const top of tops) {
    const n = build(top);
    const e = byId.get(top)!;
    // the node box is the only child of a layout root: its ports are then ordinary hierarchical ports
    const nodeBox: ElkNode = {
      ...n,
      ...(n.children ? {} : leafSize(e)),
      layoutOptions: {
        'elk.padding': '[top=44,left=12,bottom=12,right=12]',
        'elk.portConstraints': 'FIXED_SIDE',
        'elk.nodeSize.constraints': 'MINIMUM_SIZE',
        'elk.nodeSize.minimum': `(${Math.ceil(clip(e.label, MAX_LABEL).length * CHAR_W + 24)},30)`,
      },
      ports: ports.get(top) ?? [],
    };
    const out = await elk.layout({
      id: `__root:${top}`,
      layoutOptions: LAYERED,
      children: [nodeBox],
      edges: inner.get(top) ?? [],
    });
    const placed = out.children![0]!;
    const dx = MARGIN - (placed.x ?? 0);
    const dy = y - (placed.y ?? 0);
    const visit = (c: ElkNode): void => {
      const el = byId.get(c.id);
      if (el)
        boxes.push({
          el,
          x: (c.x ?? 0) + dx,
          y: (c.y ?? 0) + dy,
          w: c.width ?? 0,
          h: c.height ?? 0,
          compound: Boolean(c.children?.length) || c === placed,
        });
      for (const k of c.children ?? []) visit(k);
    };
    visit(placed);
    for (const p of placed.ports ?? []) portAt.set(p.id, { x: (p.x ?? 0) + dx, y: (p.y ?? 0) + dy });
    for (const ed of out.edges ?? [])
      for (const s of ed.sections ?? [])
        sections.set(
          ed.id,
          [s.startPoint, ...(s.bendPoints ?? []), s.endPoint].map((p) => ({ x: p.x + dx, y: p.y + dy })),
        );
    width = Math.max(width, (placed.width ?? 0) + 2 * MARGIN);
    y += (placed.height ?? 0) + GAP;
  }
  const routes: Route[] = [];
  for (const a of g.arrows) {
    let pts = sections.get(a.id);
    const c = cross.find((x) => x.arrow === a);
    if (c) {
      const first = sections.get(`${a.id}-a`) ?? [];
      const second = sections.get(`${a.id}-b`) ?? [];
      const p1 = first[first.length - 1] ?? portAt.get(c.out);
      const p2 = second[0] ?? portAt.get(c.in);
      if (!p1 || !p2) continue;
      const midY = (p1.y + p2.y) / 2;
      pts = [...first, { x: p1.x, y: midY }, { x: p2.x, y: midY }, ...second];
    }
    if (!pts) continue;
    routes.push({ arrow: a, points: a.leg === 'reply' ? [...pts].reverse() : pts });
  }
  return { width, height: y - GAP + MARGIN, boxes, routes };
}
