/**
 * @module sim/missing-node
 * A packet leaves a node for a next hop that no snapshot owns. The walk cannot follow it,
 * so it ends `unknown`, naming the node it goes to (by the cluster inventory when given,
 * else by address) — unless the inventory proves the destination lives on another node:
 * then the packet is going to the wrong node, which the walk reports as a timeout.
 */
import type { Outcome, Packet } from './types.js';
import type { SimNs, World } from './world.js';
import { inventoryHome, inventoryNodeOfAddress } from '../model/inventory.js';

export interface MissingNodeVerdict {
  outcome: Outcome;
  causeId: string;
  cause: string;
  note: string;
}

export function missingNode(
  world: World,
  from: SimNs,
  devName: string,
  nh: string,
  p: Packet,
  inner?: Packet,
): MissingNodeVerdict {
  const inv = world.cluster.inventory;
  const dst = (inner ?? p).dst;
  const name = inventoryNodeOfAddress(inv, nh);
  const who = name ? `node ${name} (${nh})` : `the node at ${nh}`;
  const home = inventoryHome(inv, dst);
  const homeAddrs = home ? (inv?.nodes.find((n) => n.name === home.node)?.addresses ?? []) : [];
  if (
    home &&
    (name ? name !== home.node : homeAddrs.length > 0 && !homeAddrs.includes(nh)) &&
    home.node !== from.node
  ) {
    return {
      outcome: 'timeout',
      causeId: 'sent-to-wrong-node',
      cause: `${from.node} sends the packet for ${dst} to ${who} via ${devName}, but the cluster inventory puts ${dst} on node ${home.node} (${home.why}); stale route or VXLAN FDB entry? (assumed: ${name ?? nh} does not pass it on)`,
      note: `next hop ${nh} is ${name ? `node ${name}` : 'no node in the snapshots'}, not node ${home.node} where ${dst} lives`,
    };
  }
  return {
    outcome: 'unknown',
    causeId: 'missing-node',
    cause: `the packet goes on to ${who} via ${devName} of ${from.node}, and that node's snapshot is missing (run podpath collect on it)`,
    note: `next hop ${nh} is ${name ? `node ${name}, which has no snapshot` : 'not an address of any snapshot'}`,
  };
}
