/**
 * @module cli/commands/demo
 * `podpath demo`: the bundled two-node example of the seed incident, diagnosed by
 * simulation — which client/endpoint pairs fail, the hop where the reply skips netfilter,
 * the evidence, the fix and how to keep it fixed. One screen; no root, no cluster.
 */
import { fileURLToPath } from 'node:url';
import { dirname, join, relative } from 'node:path';
import { readdirSync } from 'node:fs';
import { parseFlags } from '../args.js';
import { loadCluster, useColor } from '../load-cluster.js';
import { traceFlow, type TraceResult } from '../../diagnose/trace.js';
import { collectNames, nameEndpoint, nameIp } from '../../diagnose/names.js';
import { makeStyle, outcomeLabel } from '../../diagnose/render-trace.js';
import { checkFindings } from '../../diagnose/findings.js';
import type { ClusterModel } from '../../model/node.js';

export const DEMO_FLOW = { proto: 'tcp' as const, src: '10.224.1.34', dst: '10.233.53.172', dport: 8080 };

export function exampleDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples', 'incident');
}

/** A copy of the cluster with one sysctl changed on one node (what-if). */
export function withSysctl(cluster: ClusterModel, node: string, name: string, value: string): ClusterModel {
  return {
    nodes: cluster.nodes.map((n) => {
      if (n.name !== node) return n;
      const sysctl = new Map(n.host.sysctl);
      const prev = sysctl.get(name);
      sysctl.set(name, { value, source: 'what-if', line: prev?.line });
      return { ...n, host: { ...n.host, sysctl } };
    }),
  };
}

function shortPath(p: string): string {
  const r = relative(process.cwd(), p);
  return r.startsWith('..') ? p : r;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(
      'usage: podpath demo [--json]\n\nDiagnoses the bundled incident example (examples/incident): no root, no cluster needed.',
    );
    return 0;
  }
  const dir = exampleDir();
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => shortPath(join(dir, f)));
  const cluster = await loadCluster(files, { quiet: true });
  const t = traceFlow(cluster, DEMO_FLOW, { findings: checkFindings });
  const failingNodes = [
    ...new Set(t.paths.filter((p) => p.causeId === 'reply-bypassed-conntrack').map((p) => p.endpointNode!)),
  ];
  let fixed: TraceResult | undefined;
  if (failingNodes.length) {
    let c = cluster;
    for (const n of failingNodes) c = withSysctl(c, n, 'net.bridge.bridge-nf-call-iptables', '1');
    fixed = traceFlow(c, DEMO_FLOW);
  }
  if (values.json) {
    console.log(
      JSON.stringify(
        {
          trace: t,
          afterFix: fixed
            ? {
                outcome: fixed.outcome,
                paths: fixed.paths.map((p) => ({ endpoint: p.endpoint, outcome: p.outcome })),
              }
            : undefined,
        },
        null,
        2,
      ),
    );
    return t.outcome === 'connected' ? 0 : 1;
  }
  console.log(renderDemo(t, fixed, cluster, files, makeStyle(useColor())));
  return 0;
}

function renderDemo(
  t: TraceResult,
  fixed: TraceResult | undefined,
  cluster: ClusterModel,
  files: string[],
  st: ReturnType<typeof makeStyle>,
): string {
  const names = collectNames(cluster);
  const o: string[] = [];
  const vip = `${t.flow.dst}:${t.flow.dport}`;
  o.push(
    st.bold(
      'podpath demo — "some pods time out calling a Service" (bundled 2-node example: flannel VXLAN + kube-proxy)',
    ),
  );
  o.push(`client   ${nameIp(names, t.flow.src)} on ${t.client?.node}`);
  o.push(`service  ${nameEndpoint(names, vip)}, ${t.paths.length} endpoints`);
  o.push('');
  o.push(`outcome of ${t.flow.proto} connect() to ${vip}: ${outcomeLabel(t.outcome, st)}`);
  for (const p of t.paths) {
    const same = p.endpointNode === t.client?.node ? 'same node  ' : 'other node ';
    o.push(
      `  ${p.outcome === 'connected' ? st.green('✓') : st.red('✗')} ${(p.probability * 100).toFixed(0).padStart(3)}%  -> ${nameEndpoint(names, p.endpoint).padEnd(62)} ${p.endpointNode ?? '?'} (${same}) ${outcomeLabel(p.outcome, st)}`,
    );
  }
  const bad = t.paths.find((p) => p.outcome !== 'connected');
  if (bad) {
    o.push('');
    o.push(st.bold(`why ${bad.endpoint} fails (simulated hop by hop, request and reply):`));
    const dnat = bad.request.find((h) => h.stage.endsWith('nf_nat_setup_info'));
    if (dnat)
      o.push(
        `  request  routed by ${dnat.node} (the ClusterIP is not on the pod subnet): DNAT ${vip} -> ${bad.endpoint} [${dnat.rule?.source}:${dnat.rule?.line}], conntrack records it`,
      );
    if (bad.breaksAt) {
      const legHops = bad.breaksAt.leg === 'request' ? bad.request : bad.reply;
      const h = legHops[bad.breaksAt.index];
      if (h)
        o.push(
          st.red(
            `  ${bad.breaksAt.leg.padEnd(8)} ${h.node} ${h.stage} ${h.device ?? ''} (hop ${bad.breaksAt.index + 1} of the ${bad.breaksAt.leg}):`,
          ),
        );
    }
    o.push(`           ${bad.cause}`);
    const last = bad.reply[bad.reply.length - 1] ?? bad.request[bad.request.length - 1];
    if (last?.note && bad.causeId === 'reply-bypassed-conntrack') o.push(`  client   ${last.note}`);
  }
  if (t.findings.length) {
    o.push('');
    for (const f of t.findings) {
      o.push(
        `${f.severity === 'critical' ? st.red('CRITICAL') : st.yellow(f.severity.toUpperCase())} ${f.id} on ${f.node}: ${f.title}`,
      );
      for (const e of f.evidence.slice(0, 3))
        o.push(`  evidence       ${e.text}${e.line ? `  (${e.source}:${e.line})` : ''}`);
      for (const x of f.fix) {
        const label = x.kind === 'runtime' ? 'fix now' : x.kind === 'persistent' ? 'keep it fixed' : 'or';
        o.push(`  ${label.padEnd(14)} ${x.commands.join('  &&  ')}`);
      }
    }
  }
  if (fixed) {
    o.push('');
    o.push(
      `what-if: with net.bridge.bridge-nf-call-iptables = 1 the model says ${outcomeLabel(fixed.outcome, st)} on ${fixed.paths.filter((p) => p.outcome === 'connected').length} of ${fixed.paths.length} endpoints.`,
    );
  }
  o.push('');
  const rel = files.map((f) => `--snapshot ${f}`).join(' ');
  o.push(st.dim(`every hop: podpath trace ${rel} --from ${t.flow.src} --to ${vip}`));
  o.push(st.dim(`all checks: podpath check ${rel}`));
  return o.join('\n');
}
