/**
 * @module probe/explain
 * One line per Service from the probe results, in the order the incident's author narrowed
 * the fault: DNS, ClusterIP, pod IPs, and where the failing backends run. When ClusterIP
 * connects fail about as often as the share of same-node backends while every pod IP
 * answers, that is the seed's pattern (the reply of a same-node backend bypasses conntrack).
 */
import type { ServiceProbe } from './run-probe.js';

function count(rs: { outcome: string }[]): { ok: number; bad: string[] } {
  const bad = rs.filter((r) => r.outcome !== 'connected').map((r) => r.outcome);
  return { ok: rs.length - bad.length, bad };
}

function kinds(bad: string[]): string {
  return [...new Set(bad)].join('/');
}

export function explainService(p: ServiceProbe): Pick<ServiceProbe, 'summary' | 'verdict'> {
  const parts: string[] = [];
  let dnsBad = false;
  if (p.dns) {
    if (p.dns.outcome === 'resolved' && p.dns.matchesClusterIP) parts.push('DNS fine');
    else {
      dnsBad = true;
      parts.push(
        p.dns.outcome === 'resolved'
          ? `DNS answers ${p.dns.addresses.join(', ')}, not the ClusterIP ${p.target.clusterIP}`
          : `DNS ${p.dns.outcome}${p.dns.server ? ` (server ${p.dns.server})` : ''}`,
      );
    }
  }
  const vip = count(p.clusterIP);
  const n = p.clusterIP.length;
  if (!n) parts.push('ClusterIP not probed');
  else if (!vip.bad.length) parts.push('ClusterIP works');
  else if (vip.ok) parts.push(`ClusterIP fails ${vip.bad.length}/${n} (${kinds(vip.bad)})`);
  else parts.push(`ClusterIP fails (${kinds(vip.bad)})`);
  const eps = p.endpoints;
  const epBad = eps.filter((e) => e.result.outcome !== 'connected');
  if (!eps.length) parts.push('no endpoints');
  else if (!epBad.length) parts.push('pod IPs work');
  else
    parts.push(
      `pod IPs fail ${epBad.length}/${eps.length} (${epBad.map((e) => `${e.endpoint.pod ?? e.endpoint.ip} ${e.result.outcome}`).join(', ')})`,
    );
  const same = eps.filter((e) => e.endpoint.placement === 'same-node').length;
  if (vip.bad.length && !epBad.length && eps.length) {
    if (same > 0 && same < eps.length) {
      const expected = same / eps.length;
      const seen = vip.bad.length / n;
      parts.push(
        Math.abs(seen - expected) <= 0.35
          ? `only same-node backends fail through the Service (${same} of ${eps.length} backends are on this node; the replies of same-node backends likely bypass conntrack: check net.bridge.bridge-nf-call-iptables)`
          : `the Service path (NAT) fails while the pods answer (${same} of ${eps.length} backends on this node)`,
      );
    } else if (same === eps.length)
      parts.push('every backend is on this node: the Service path fails for same-node backends');
    else parts.push('the Service path (NAT) fails while the pods answer');
  } else if (epBad.length) {
    const badSame = epBad.filter((e) => e.endpoint.placement === 'same-node').length;
    const badCross = epBad.filter((e) => e.endpoint.placement === 'cross-node').length;
    if (badCross && !badSame && same)
      parts.push('only cross-node pod IPs fail (overlay, routes or FORWARD between nodes)');
    else if (badSame && !badCross && same < eps.length) parts.push('only same-node pod IPs fail');
  }
  const verdict =
    !vip.bad.length && !epBad.length && !dnsBad
      ? 'ok'
      : vip.ok || eps.length > epBad.length
        ? 'degraded'
        : 'failing';
  return { summary: parts.join(', '), verdict };
}
