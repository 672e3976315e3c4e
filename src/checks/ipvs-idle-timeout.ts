/**
 * @module checks/ipvs-idle-timeout
 * FM-24: IPVS connection entries expire on their own timers (ipvsadm --timeout: tcp 900 s)
 * independent of conntrack; an idle connection outlives its IPVS entry when TCP keepalive
 * (net.ipv4.tcp_keepalive_time, default 7200 s, per network namespace) is longer, and the
 * next packet is not scheduled. Needs the `Timeout (tcp tcpfin udp)` line in `ipvsadm`.
 */
import type { Check, Evidence } from './types.js';
import { finding, needAll, sourceOf, sysctlEvidence, sysctlInt } from './util.js';
import { parseIpvs } from './ipvs-raw.js';

export const check: Check = {
  id: 'ipvs-idle-timeout',
  severity: 'info',
  title: 'IPVS drops idle TCP connections before TCP keepalive probes them',
  fm: ['FM-24'],
  missing: (node) => needAll(node, 'ipvsadm', 'sysctl'),
  run(node) {
    const st = parseIpvs(node.raw['ipvsadm']);
    if (!st.timeouts || st.services.length === 0) return [];
    const tcp = st.timeouts.tcp;
    // a new network namespace starts with the kernel default (7200 s), not the host's value
    const pods = node.pods.map((p) => ({
      p,
      v: sysctlInt({ ...node, host: p }, 'net.ipv4.tcp_keepalive_time') ?? 7200,
    }));
    if (tcp >= 7200 || (pods.length > 0 && pods.every((x) => x.v < tcp))) return [];
    const ev: Evidence[] = [
      {
        source: sourceOf(node, 'ipvsadm'),
        line: st.timeouts.line,
        text: `IPVS timeouts tcp ${tcp} s, tcpfin ${st.timeouts.tcpfin} s, udp ${st.timeouts.udp} s`,
      },
      node.host.sysctl.has('net.ipv4.tcp_keepalive_time')
        ? sysctlEvidence(node, 'net.ipv4.tcp_keepalive_time')
        : {
            source: sourceOf(node, 'sysctl'),
            text: 'net.ipv4.tcp_keepalive_time absent: kernel default 7200',
          },
      ...pods
        .filter((x) => x.v >= tcp)
        .slice(0, 4)
        .map((x) => ({
          source: `netns/${x.p.name}/sysctl`,
          text: `pod ${x.p.pod ? `${x.p.pod.namespace}/${x.p.pod.name}` : x.p.name}: tcp_keepalive_time ${x.v} s >= ${tcp} s`,
        })),
      {
        source: 'inference',
        text: `pod network namespaces start with tcp_keepalive_time = 7200 s (kernel default), longer than the IPVS tcp timeout ${tcp} s`,
      },
    ];
    return [
      finding(check, node, {
        symptom:
          'Connections idle for longer than the IPVS timeout (15 min by default: DB pools, gRPC, memcached) fail on their next use with a reset or a hang; a retry works.',
        evidence: ev,
        fix: [
          {
            kind: 'runtime',
            description:
              'probe idle connections before IPVS forgets them (in the pods: net.ipv4.tcp_keepalive_time is per namespace)',
            commands: [
              'securityContext: { sysctls: [ { name: net.ipv4.tcp_keepalive_time, value: "600" } ] }   # pod spec',
            ],
          },
          {
            kind: 'persistent',
            description: 'or raise the IPVS tcp timeout',
            commands: ['kube-proxy --ipvs-tcp-timeout=2h   # ipvs.tcpTimeout in KubeProxyConfiguration'],
          },
        ],
        references: [
          'cloudnativelabs/kube-router#521',
          'easzlab/kubeasz#688',
          'kubernetes/kubernetes#71358',
          'kubernetes/kubernetes#84041',
          'kubernetes/kubernetes#85517',
        ],
        versions: ['tcp_keepalive_time is per network namespace since Linux 4.13'],
      }),
    ];
  },
};
