/**
 * @module agent/watched-sysctls
 * The sysctls the agent exports and watches for drift (a change by anyone is logged with
 * old and new value), and the few values `--remediate CHECK` may put back.
 */
export const WATCHED_SYSCTLS = [
  'net.bridge.bridge-nf-call-iptables',
  'net.bridge.bridge-nf-call-ip6tables',
  'net.ipv4.ip_forward',
  'net.ipv4.conf.all.rp_filter',
  'net.ipv4.conf.all.route_localnet',
  'net.netfilter.nf_conntrack_max',
  'net.netfilter.nf_conntrack_tcp_be_liberal',
] as const;

export interface Remediation {
  check: string;
  sysctl: string;
  value: string;
}

/** check id -> the sysctl value that repairs it at runtime (what the check's runtime fix says) */
export const REMEDIATIONS: Record<string, Remediation> = {
  'bridge-nf-call-iptables-disabled': {
    check: 'bridge-nf-call-iptables-disabled',
    sysctl: 'net.bridge.bridge-nf-call-iptables',
    value: '1',
  },
  'bridge-nf-call-ip6tables-disabled': {
    check: 'bridge-nf-call-ip6tables-disabled',
    sysctl: 'net.bridge.bridge-nf-call-ip6tables',
    value: '1',
  },
  'ip-forward-disabled': { check: 'ip-forward-disabled', sysctl: 'net.ipv4.ip_forward', value: '1' },
};

export function sysctlPath(name: string, root = '/proc/sys'): string {
  return `${root}/${name.replace(/\./g, '/')}`;
}
