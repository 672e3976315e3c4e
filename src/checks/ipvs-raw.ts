/**
 * @module checks/ipvs-raw
 * The little the checks need from IPVS state, read from the raw `ipvsadm` source: virtual
 * services with their real servers, in both `ipvsadm-save -n` form
 * (`-A -t 10.96.0.10:53 -s rr`, `-a -t 10.96.0.10:53 -r 10.244.1.3:53 -m -w 1`) and
 * `ipvsadm -Ln` form (`TCP  10.96.0.10:53 rr`, `  -> 10.244.1.3:53  Masq 1 0 0`), and the
 * `Timeout (tcp tcpfin udp): 900 120 300` line of `ipvsadm -L --timeout`.
 */

export interface IpvsReal {
  addr: string;
  weight?: number;
  line: number;
}

export interface IpvsService {
  proto: 'tcp' | 'udp' | 'sctp' | 'fwmark';
  /** `10.96.0.10:53` */
  vip: string;
  line: number;
  reals: IpvsReal[];
}

export interface IpvsState {
  services: IpvsService[];
  timeouts?: { tcp: number; tcpfin: number; udp: number; line: number };
}

const SAVE_PROTO: Record<string, IpvsService['proto']> = {
  '-t': 'tcp',
  '-u': 'udp',
  '--sctp-service': 'sctp',
  '-f': 'fwmark',
};

export function parseIpvs(text: string | undefined): IpvsState {
  const st: IpvsState = { services: [] };
  if (!text) return st;
  let cur: IpvsService | undefined;
  const find = (proto: IpvsService['proto'], vip: string) =>
    st.services.find((s) => s.proto === proto && s.vip === vip);
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const t = raw.trim();
    const to = /^Timeout \(tcp tcpfin udp\):\s+(\d+)\s+(\d+)\s+(\d+)/.exec(t);
    if (to) {
      st.timeouts = { tcp: Number(to[1]), tcpfin: Number(to[2]), udp: Number(to[3]), line };
      return;
    }
    const w = t.split(/\s+/);
    if (w[0] === '-A' && w[1] && w[2] && SAVE_PROTO[w[1]]) {
      cur = { proto: SAVE_PROTO[w[1]]!, vip: w[2], line, reals: [] };
      st.services.push(cur);
      return;
    }
    if (w[0] === '-a' && w[1] && w[2] && SAVE_PROTO[w[1]]) {
      const svc = find(SAVE_PROTO[w[1]]!, w[2]);
      const r = w.indexOf('-r');
      const wt = w.indexOf('-w');
      if (svc && r > 0 && w[r + 1])
        svc.reals.push({ addr: w[r + 1]!, weight: wt > 0 ? Number(w[wt + 1]) : undefined, line });
      return;
    }
    const list = /^(TCP|UDP|SCTP|FWM)\s+(\S+)/.exec(t);
    if (list && !raw.startsWith(' ')) {
      const proto = list[1] === 'FWM' ? 'fwmark' : (list[1]!.toLowerCase() as IpvsService['proto']);
      cur = { proto, vip: list[2]!, line, reals: [] };
      st.services.push(cur);
      return;
    }
    const real = /^->\s+(\d\S*:\d+)\s+\S+\s+(\d+)/.exec(t);
    if (real && cur) cur.reals.push({ addr: real[1]!, weight: Number(real[2]), line });
  });
  return st;
}
