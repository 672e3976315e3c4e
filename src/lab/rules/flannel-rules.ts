/**
 * @module lab/rules/flannel-rules
 * flanneld's iptables rules (flannel-io/flannel pkg/trafficmngr/iptables/iptables.go
 * `MasqRules`, `ForwardRules`), as iptables-save prints them on a real node.
 */
import type { NodeSpec, Scenario } from '../scenario/types.js';
import type { TableRules } from './kube-proxy-rules.js';

export interface FlannelRules {
  filter: TableRules;
  nat: TableRules;
}

export function flannelRules(sc: Scenario, node: NodeSpec): FlannelRules {
  const cluster = sc.cluster.clusterCIDR;
  const pod = node.podCIDR;
  const c = '-m comment --comment "flanneld masq"';
  const nat: TableRules = { chains: [], rules: [] };
  if (node.faults.flannelMasquerade !== false) {
    nat.chains.push('FLANNEL-POSTRTG');
    nat.rules.push(
      `-A POSTROUTING ${c} -j FLANNEL-POSTRTG`,
      `-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 ${c} -j RETURN`,
      `-A FLANNEL-POSTRTG -s ${pod} -d ${cluster} ${c} -j RETURN`,
      `-A FLANNEL-POSTRTG -s ${cluster} -d ${pod} ${c} -j RETURN`,
      `-A FLANNEL-POSTRTG ! -s ${cluster} -d ${pod} ${c} -j RETURN`,
      `-A FLANNEL-POSTRTG -s ${cluster} ! -d 224.0.0.0/4 ${c} -j MASQUERADE --random-fully`,
      `-A FLANNEL-POSTRTG ! -s ${cluster} -d ${cluster} ${c} -j MASQUERADE --random-fully`,
    );
  }
  const filter: TableRules = { chains: [], rules: [] };
  if (node.faults.flannelForwardRules !== false) {
    const f = '-m comment --comment "flanneld forward"';
    filter.chains.push('FLANNEL-FWD');
    filter.rules.push(
      `-A FORWARD ${f} -j FLANNEL-FWD`,
      `-A FLANNEL-FWD -s ${cluster} ${f} -j ACCEPT`,
      `-A FLANNEL-FWD -d ${cluster} ${f} -j ACCEPT`,
    );
  }
  return { filter, nat };
}
