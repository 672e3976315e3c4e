/**
 * @module pcap/signatures/icmp-unreachable
 * `icmp-unreachable` (FM-13, FM-17): ICMP destination unreachable (type 3, except code 4,
 * which is pmtu-blackhole's) and ICMPv6 destination unreachable (type 1), with the code
 * named and the quoted datagram decoded: who was refused, for which port, by whom.
 * REJECT rules (`ipt_REJECT` / `nft reject`) and closed UDP ports produce these.
 */
import type { Packet, PcapFinding } from '../types.js';
import { PROTO_ICMP, PROTO_TCP, PROTO_UDP } from '../types.js';
import type { DetectorContext } from './context.js';
import type { Detector } from './detector.js';
import { endpointLabel, label } from './evidence.js';
import { findingsOf, GroupTable } from './finding.js';
import { icmpCodeName, unreachableErrno } from './icmp-names.js';
import type { FixStep } from '../../checks/types.js';

interface Extra {
  sample: Packet;
}

export class IcmpUnreachable implements Detector {
  readonly ids = ['icmp-unreachable'] as const;
  private readonly table = new GroupTable<Extra>();

  private readonly ctx: DetectorContext;

  constructor(ctx: DetectorContext) {
    this.ctx = ctx;
  }

  onIcmpError(p: Packet): void {
    const v4 = p.proto === PROTO_ICMP;
    if (v4 ? p.icmpType !== 3 || p.icmpCode === 4 : p.icmpType !== 1) return;
    const i = p.inner;
    const key = `${p.proto}|${p.icmpCode}|${p.src}|${i ? `${i.proto}|${i.dst}|${i.dport}` : '-'}`;
    this.table.add(key, [p], () => ({ sample: p }));
  }

  sweep(_now: number): void {}

  finish(): PcapFinding[] {
    const n = this.ctx.names;
    return findingsOf(
      this.table,
      (g) => {
        const p = g.extra.sample;
        const code = icmpCodeName(p);
        const i = p.inner;
        const proto = i
          ? i.proto === PROTO_TCP
            ? 'tcp'
            : i.proto === PROTO_UDP
              ? 'udp'
              : `protocol ${i.proto}`
          : 'traffic';
        const about = i ? `${proto} to ${endpointLabel(i.dst, i.dport, n)}` : 'a packet';
        const from =
          i && i.sport >= 0
            ? ` from ${endpointLabel(i.src, i.sport, n)}`
            : i
              ? ` from ${label(i.src, n)}`
              : '';
        const v = p.proto === PROTO_ICMP ? 'ICMP' : 'ICMPv6';
        return {
          id: 'icmp-unreachable',
          severity: 'warning',
          title: `${v} ${code} from ${label(p.src, n)} for ${about} (${g.count} message(s))`,
          symptom: `${about}${from} is rejected: ${label(p.src, n)} answers ${v} destination unreachable, code ${p.icmpCode} (${code}); the application sees ${unreachableErrno(p)}.`,
          count: g.count,
          packets: g.packets,
          fix: fixFor(p),
          references:
            p.icmpCode === 3 || (p.proto !== PROTO_ICMP && p.icmpCode === 4) ? ['FM-17'] : ['FM-13', 'FM-17'],
        };
      },
      this.ctx,
      'ICMP sources/destinations',
    );
  }
}

function fixFor(p: Packet): FixStep[] {
  const v4 = p.proto === PROTO_ICMP;
  const c = p.icmpCode;
  if (v4 ? c === 3 : c === 4) {
    return [
      {
        kind: 'runtime',
        description:
          'Port unreachable: nothing listens there (UDP), or kube-proxy rejects a Service that has no ready endpoints',
        commands: [
          'iptables-save | grep "has no endpoints"',
          'kubectl get endpointslices -A | grep "<none>"',
          "ss -lunp   # inside the destination's network namespace",
        ],
      },
    ];
  }
  if (v4 ? c === 9 || c === 10 || c === 13 : c === 1 || c === 5 || c === 6) {
    return [
      {
        kind: 'runtime',
        description:
          'Administratively prohibited: a firewall REJECT rule (firewalld, ufw, a NetworkPolicy engine) matches this traffic',
        commands: [
          'iptables-save | grep -E "REJECT.*(host-prohib|net-prohib|admin-prohib)"',
          'nft list ruleset | grep reject',
          'firewall-cmd --list-all',
        ],
      },
    ];
  }
  return [
    {
      kind: 'runtime',
      description:
        'Net/host unreachable: no route, or no neighbour answers for the destination on the sending hop',
      commands: ['ip route get <destination>', 'ip neigh show', 'ip -s link'],
    },
  ];
}
