import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCluster } from '../cli/load-cluster.js';
import { traceFlow } from '../diagnose/trace.js';
import { DEMO_FLOW } from '../cli/commands/demo.js';
import { incidentFiles } from './incident-report.js';
import { pathGraph } from './path-graph.js';
import { layoutPath } from './layout-path.js';
import { renderPathSvg } from './svg-path.js';

async function incident() {
  const cluster = await loadCluster(incidentFiles(), { quiet: true });
  const t = traceFlow(cluster, DEMO_FLOW);
  const bad = t.paths.find((p) => p.outcome !== 'connected')!;
  const good = t.paths.find((p) => p.outcome === 'connected')!;
  return { cluster, bad, good };
}

test('path graph of the incident: the reply breaks at bridge cni0 of node1 and passes no netfilter table there', async () => {
  const { cluster, bad } = await incident();
  const g = pathGraph(cluster, bad, {
    title: 'bridge-nf-call-iptables-disabled',
    text: 'net.bridge.bridge-nf-call-iptables = 0',
  });
  const broken = g.elements.filter((e) => e.broken);
  assert.deepEqual(
    broken.map((e) => [e.id, e.kind]),
    [['dev:node1:cni0', 'bridge']],
  );
  const tables = new Set(g.elements.filter((e) => e.kind === 'table').map((e) => e.id));
  const reply = g.arrows.filter((a) => a.leg === 'reply');
  const request = g.arrows.filter((a) => a.leg === 'request');
  assert.ok(reply.length >= 4);
  assert.ok(
    reply.every((a) => !tables.has(a.from) && !tables.has(a.to)),
    'the reply skips every hook',
  );
  for (const t of [
    'table:node1:PREROUTING:conntrack',
    'table:node1:PREROUTING:nat',
    'table:node1:FORWARD:filter',
  ])
    assert.ok(
      request.some((a) => a.to === t),
      `request passes ${t}`,
    );
  const into = g.arrows.find((a) => a.broken)!;
  assert.equal(into.leg, 'reply');
  assert.equal(into.to, 'dev:node1:cni0');
  assert.equal(into.from, 'dev:node1:veth46fd211c');
  const callout = g.arrows.find((a) => a.leg === 'callout')!;
  assert.equal(callout.from, 'dev:node1:cni0');
  // every hook box holds its tables in priority order
  const pre = g.elements.filter((e) => e.parent === 'hook:node1:PREROUTING').map((e) => e.label);
  assert.deepEqual(pre, ['raw', 'conntrack', 'mangle', 'nat']);
});

test('path graph of the working path: VXLAN on both nodes, the wire between the NICs, nothing broken', async () => {
  const { cluster, good } = await incident();
  const g = pathGraph(cluster, good);
  assert.equal(g.elements.filter((e) => e.broken).length, 0);
  const ids = new Set(g.elements.map((e) => e.id));
  for (const id of [
    'node:node1',
    'node:node2',
    'dev:node1:flannel.1',
    'dev:node2:flannel.1',
    'dev:node1:eth0',
    'dev:node2:eth0',
  ])
    assert.ok(ids.has(id), id);
  assert.equal(g.elements.find((e) => e.id === 'dev:node1:flannel.1')!.kind, 'vxlan');
  assert.ok(
    g.arrows.some((a) => a.leg === 'request' && a.from === 'dev:node1:eth0' && a.to === 'dev:node2:eth0'),
  );
  assert.ok(
    g.arrows.some((a) => a.leg === 'reply' && a.from === 'dev:node2:eth0' && a.to === 'dev:node1:eth0'),
  );
  // the reply on node1 is un-NATed in POSTROUTING (it went through conntrack)
  assert.ok(g.arrows.some((a) => a.leg === 'reply' && a.to === 'table:node1:POSTROUTING:nat'));
});

test('layout and SVG: boxes nest inside their node, arrows have points, the broken box is marked', async () => {
  const { cluster, bad } = await incident();
  const l = await layoutPath(pathGraph(cluster, bad, { title: 'x' }));
  const node = l.boxes.find((b) => b.el.id === 'node:node1')!;
  for (const b of l.boxes.filter((x) => x.el.parent === 'node:node1')) {
    assert.ok(
      b.x >= node.x &&
        b.y >= node.y &&
        b.x + b.w <= node.x + node.w + 0.5 &&
        b.y + b.h <= node.y + node.h + 0.5,
      b.el.id,
    );
  }
  assert.ok(l.routes.every((r) => r.points.length >= 2));
  const svg = renderPathSvg(l, 'd0', 'title');
  assert.match(svg, /<g class="box k-bridge broken" data-id="dev:node1:cni0">/);
  assert.match(svg, /class="arrow a-reply a-broken"/);
  assert.doesNotMatch(svg, /style=/);
});
