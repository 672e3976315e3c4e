/**
 * @module report/layout-path
 * Lays out a path graph with elkjs (layered, left to right, nested boxes) in Node, when the
 * report is generated: the HTML carries finished coordinates, no script runs in the page.
 */
import elkjs from 'elkjs';
import type { ElkNode, ElkExtendedEdge } from 'elkjs';
import { clip } from './escape.js';
import type { Element, PathGraph } from './path-graph.js';

export const CHAR_W = 7.2;
export const LINE_H = 15;
/** longest label drawn in a box, in characters (longer ones are cut, the full text is in the tooltip) */
export const MAX_LABEL = 34;

export interface Box {
  el: Element;
  x: number;
  y: number;
  w: number;
  h: number;
  compound: boolean;
}

export interface Route {
  arrow: PathGraph['arrows'][number];
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

export async function layoutPath(g: PathGraph): Promise<PathLayout> {
  const nodes = new Map<string, ElkNode>();
  const children = new Map<string, string[]>();
  for (const e of g.elements) {
    const list = children.get(e.parent ?? '') ?? [];
    list.push(e.id);
    children.set(e.parent ?? '', list);
  }
  const byId = new Map(g.elements.map((e) => [e.id, e]));
  const build = (id: string): ElkNode => {
    const e = byId.get(id)!;
    const kids = children.get(id);
    const n: ElkNode = kids
      ? {
          id,
          children: kids.map(build),
          layoutOptions: {
            'elk.padding': e.kind === 'node' ? '[top=44,left=12,bottom=12,right=12]' : '[top=22,left=6,bottom=6,right=6]',
            'elk.nodeSize.constraints': 'MINIMUM_SIZE',
            'elk.nodeSize.minimum': `(${Math.ceil(clip(e.label, MAX_LABEL).length * CHAR_W + 24)},30)`,
          },
        }
      : { id, ...leafSize(e) };
    nodes.set(id, n);
    return n;
  };
  // the reply mostly retraces the request backwards: laid out reversed, all arrows point one way
  // and the layers follow the request; the reply is drawn from its real start again below
  const edges: ElkExtendedEdge[] = g.arrows.map((a) =>
    a.leg === 'reply' ? { id: a.id, sources: [a.to], targets: [a.from] } : { id: a.id, sources: [a.from], targets: [a.to] },
  );
  const root: ElkNode = {
    id: '__root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.spacing.nodeNode': '14',
      'elk.layered.spacing.nodeNodeBetweenLayers': '26',
      'elk.layered.spacing.edgeNodeBetweenLayers': '12',
      'elk.spacing.edgeEdge': '6',
      'elk.json.edgeCoords': 'ROOT',
      'elk.json.shapeCoords': 'ROOT',
      'elk.padding': '[top=8,left=8,bottom=8,right=8]',
    },
    children: (children.get('') ?? []).map(build),
    edges,
  };
  const out = await elk.layout(root);
  const boxes: Box[] = [];
  const visit = (n: ElkNode): void => {
    const el = byId.get(n.id);
    if (el)
      boxes.push({ el, x: n.x ?? 0, y: n.y ?? 0, w: n.width ?? 0, h: n.height ?? 0, compound: Boolean(n.children?.length) });
    for (const c of n.children ?? []) visit(c);
  };
  visit(out);
  const arrows = new Map(g.arrows.map((a) => [a.id, a]));
  const routes: Route[] = [];
  for (const e of out.edges ?? []) {
    const arrow = arrows.get(e.id);
    if (!arrow) continue;
    for (const s of e.sections ?? []) {
      const points = [s.startPoint, ...(s.bendPoints ?? []), s.endPoint];
      routes.push({ arrow, points: arrow.leg === 'reply' ? points.reverse() : points });
    }
  }
  return { width: out.width ?? 0, height: out.height ?? 0, boxes, routes };
}
