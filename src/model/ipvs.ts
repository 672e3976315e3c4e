/**
 * @module model/ipvs
 * IPVS virtual services and their real servers (ip_vs_service / ip_vs_dest in the kernel),
 * as `ipvsadm-save -n` or `ipvsadm -Ln` print them.
 */

export type IpvsProto = 'tcp' | 'udp' | 'sctp';

/** how a real server is reached: NAT (`-m`, Masq), direct routing (`-g`, Route), IP-in-IP (`-i`, Tunnel) */
export type IpvsForward = 'masq' | 'route' | 'tunnel' | 'local' | 'bypass';

export interface IpvsDest {
  addr: string;
  port: number;
  /** undefined when the dump does not say (`ipvsadm -Ln --stats`) */
  forward?: IpvsForward;
  weight?: number;
  activeConns?: number;
  inactConns?: number;
  line: number;
}

export interface IpvsService {
  /** a fwmark service (`-f MARK`, `FWM  MARK`) has no proto/addr/port */
  proto?: IpvsProto;
  addr?: string;
  port?: number;
  fwmark?: number;
  /** rr, wrr, lc, wlc, sh, ...; undefined when the dump does not say */
  scheduler?: string;
  /** persistence timeout in seconds (`-p 10800`, `persistent 10800`), undefined when not persistent */
  persistent?: number;
  /** `ipvsadm-save` `-M` / `-Ln` `mask` */
  netmask?: string;
  /** scheduler flags (`-b sh-port,sh-fallback`) */
  flags?: string[];
  dests: IpvsDest[];
  line: number;
}

export interface IpvsModel {
  services: IpvsService[];
}

/** `tcp 10.96.0.10:53` or `fwmark 100`, for messages */
export function ipvsServiceName(s: IpvsService): string {
  if (s.fwmark !== undefined) return `fwmark ${s.fwmark}`;
  const a = s.addr?.includes(':') ? `[${s.addr}]` : s.addr;
  return `${s.proto} ${a}:${s.port}`;
}
