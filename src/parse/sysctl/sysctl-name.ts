/**
 * @module parse/sysctl/sysctl-name
 * One spelling for sysctl names. procps prints `/proc/sys/net/ipv4/conf/flannel.1/rp_filter`
 * as `net.ipv4.conf.flannel/1.rp_filter` (a dot inside a component becomes `/`), and
 * sysctl.conf may use the path form `net/ipv4/ip_forward`. Both become dotted names with the
 * interface written as it is named: `net.ipv4.conf.flannel.1.rp_filter`, `net.ipv4.ip_forward`.
 */

export function normaliseSysctlName(name: string): string {
  return name
    .trim()
    .replace(/^\/?proc\/sys\//, '')
    .replace(/\//g, '.');
}

/** `32768\t60999` -> `32768 60999`: runs of blanks become one space, as sysctl -w accepts */
export function normaliseSysctlValue(value: string): string {
  return value.trim().replace(/[ \t]+/g, ' ');
}
