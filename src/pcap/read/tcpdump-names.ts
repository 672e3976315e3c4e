/**
 * @module pcap/read/tcpdump-names
 * The words tcpdump prints instead of numbers: service names for ports (from /etc/services,
 * the common ones), DNS query types, ICMP unreachable phrases (print-icmp.c, print-icmp6.c).
 */

export const SERVICE_PORTS: Record<string, number> = {
  ftp: 21,
  ssh: 22,
  telnet: 23,
  smtp: 25,
  domain: 53,
  bootps: 67,
  bootpc: 68,
  tftp: 69,
  http: 80,
  kerberos: 88,
  pop3: 110,
  sunrpc: 111,
  ntp: 123,
  imap: 143,
  snmp: 161,
  ldap: 389,
  https: 443,
  'microsoft-ds': 445,
  syslog: 514,
  ldaps: 636,
  imaps: 993,
  pop3s: 995,
  'ms-sql-s': 1433,
  mysql: 3306,
  postgresql: 5432,
  mdns: 5353,
  'http-alt': 8080,
  webcache: 8080,
  'pcsync-https': 8443,
  'etcd-client': 2379,
  'etcd-server': 2380,
  vxlan: 4789,
  otv: 8472,
  kubernetes: 6443,
  redis: 6379,
  'sun-sr-https': 6443,
};

export const DNS_TYPES: Record<string, number> = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  NAPTR: 35,
  DS: 43,
  RRSIG: 46,
  DNSKEY: 48,
  HTTPS: 65,
  SVCB: 64,
  ANY: 255,
  CAA: 257,
};

export const DNS_RCODES: Record<string, number> = {
  FormErr: 1,
  ServFail: 2,
  NXDomain: 3,
  NotImp: 4,
  Refused: 5,
};

/** `ICMP ... unreachable - <phrase>` and friends, to type 3 codes. */
export const ICMP_UNREACH_PHRASES: [RegExp, number][] = [
  [/need to frag/, 4],
  [/source route failed/, 5],
  [/admin prohibited filter/, 13],
  [/net \S+ unreachable - admin prohibited/, 9],
  [/admin prohibited/, 10],
  [/precedence cutoff/, 15],
  [/precedence violation/, 14],
  [/net \S+ unreachable - tos prohibited/, 11],
  [/tos prohibited/, 12],
  [/unreachable - source host isolated/, 8],
  [/net \S+ unreachable - unknown/, 6],
  [/unreachable - unknown/, 7],
  [/port \S+ unreachable/, 3],
  [/protocol \S+ unreachable/, 2],
  [/^host \S+ unreachable/, 1],
  [/^net \S+ unreachable/, 0],
];

/** ICMPv6 destination unreachable codes as print-icmp6.c names them. */
export const ICMP6_UNREACH_PHRASES: [RegExp, number][] = [
  [/unreachable route/, 0],
  [/unreachable prohibited/, 1],
  [/beyond scope/, 2],
  [/unreachable address/, 3],
  [/unreachable port/, 4],
  [/source address failed/, 5],
  [/reject route/, 6],
];
