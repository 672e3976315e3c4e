/**
 * @module collect/sources
 * What `podpath collect` reads (ARCHITECTURE §3), as data. Every program is read-only:
 * the *-save tools only dump tables that exist (checked: in a fresh namespace neither
 * iptables-legacy-save nor iptables-nft-save creates a table, see collect.test.ts), nft
 * and ipset only list, conntrack -L/-S only dump. Nothing here writes.
 */
import type { FramedSpec } from './read-framed.js';

export type SourceSpec =
  | { id: string; kind: 'exec'; file: string; args: string[] }
  | { id: string; kind: 'file'; path: string }
  | { id: string; kind: 'framed'; command: string; spec: FramedSpec }
  | { id: string; kind: 'sysctl' };

const exec = (id: string, file: string, ...args: string[]): SourceSpec => ({ id, kind: 'exec', file, args });

/** Sources of a node's own namespace. */
export const NODE_SOURCES: SourceSpec[] = [
  { id: 'sysctl', kind: 'sysctl' },
  exec('uname', 'uname', '-a'),
  { id: 'modules', kind: 'file', path: '/proc/modules' },
  exec('ip-link', 'ip', '-j', '-d', 'link', 'show'),
  exec('ip-addr', 'ip', '-j', '-d', 'addr', 'show'),
  exec('ip-route', 'ip', '-j', '-d', 'route', 'show', 'table', 'all'),
  exec('ip-route6', 'ip', '-6', '-j', '-d', 'route', 'show', 'table', 'all'),
  exec('ip-rule', 'ip', '-j', 'rule', 'show'),
  exec('ip-neigh', 'ip', '-j', 'neigh', 'show'),
  exec('bridge-link', 'bridge', '-j', '-d', 'link', 'show'),
  exec('bridge-fdb', 'bridge', '-j', 'fdb', 'show'),
  exec('iptables-legacy-save', 'iptables-legacy-save'),
  exec('iptables-nft-save', 'iptables-nft-save'),
  exec('ip6tables-legacy-save', 'ip6tables-legacy-save'),
  exec('ip6tables-nft-save', 'ip6tables-nft-save'),
  exec('nft-ruleset', 'nft', '-j', 'list', 'ruleset'),
  exec('ipvsadm', 'ipvsadm-save', '-n'),
  exec('ipset', 'ipset', 'save'),
  exec('conntrack', 'conntrack', '-L'),
  exec('conntrack-stats', 'conntrack', '-S'),
  { id: 'conntrack-count', kind: 'file', path: '/proc/sys/net/netfilter/nf_conntrack_count' },
  { id: 'resolv-conf', kind: 'file', path: '/etc/resolv.conf' },
  { id: 'cni-conf', kind: 'framed', command: 'cat /etc/cni/net.d/*', spec: { paths: ['/etc/cni/net.d'] } },
  {
    id: 'sysctl-persistent',
    kind: 'framed',
    command:
      'cat /etc/sysctl.conf /etc/sysctl.d/*.conf /run/sysctl.d/*.conf /usr/local/lib/sysctl.d/*.conf /usr/lib/sysctl.d/*.conf /lib/sysctl.d/*.conf',
    spec: {
      paths: [
        '/etc/sysctl.conf',
        '/etc/sysctl.d',
        '/run/sysctl.d',
        '/usr/local/lib/sysctl.d',
        '/usr/lib/sysctl.d',
        '/lib/sysctl.d',
      ],
      suffix: '.conf',
    },
  },
  {
    id: 'modules-load',
    kind: 'framed',
    command:
      'cat /etc/modules-load.d/*.conf /run/modules-load.d/*.conf /usr/lib/modules-load.d/*.conf /etc/modules',
    spec: {
      paths: ['/etc/modules-load.d', '/run/modules-load.d', '/usr/lib/modules-load.d', '/etc/modules'],
      suffix: '.conf',
    },
  },
  exec('hostname', 'hostname'),
  // listening sockets (podpath extension): who would answer a SYN or a datagram, and who would refuse
  exec('ss-listen', 'ss', '-H', '-t', '-u', '-l', '-n'),
];

/** Sources of a pod namespace, each run as `<enter> ip ...` (`ip -n NAME` or `nsenter --net=PATH`). */
export const POD_SOURCES: { id: string; args: string[] }[] = [
  { id: 'ip-link', args: ['-j', '-d', 'link', 'show'] },
  { id: 'ip-addr', args: ['-j', '-d', 'addr', 'show'] },
  { id: 'ip-route', args: ['-j', '-d', 'route', 'show', 'table', 'all'] },
  { id: 'ip-rule', args: ['-j', 'rule', 'show'] },
  { id: 'ip-neigh', args: ['-j', 'neigh', 'show'] },
];

/** Other read-only programs run in pod namespaces (`nsenter --net=PATH ss ...`, `ip netns exec NAME ss ...`). */
export const POD_EXTRA_SOURCES: { id: string; file: string; args: string[] }[] = [
  { id: 'ss-listen', file: 'ss', args: ['-H', '-t', '-u', '-l', '-n'] },
];
