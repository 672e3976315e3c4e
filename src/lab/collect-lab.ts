/**
 * @module lab/collect-lab
 * Snapshots every node of a running lab the way an SRE would on a real node: `podpath
 * collect` run inside the node's namespace (which finds the node's pod namespaces by
 * their veth peers on cni0, and names them from the lab's pods.json). A lab node is a
 * network namespace only: the files under /etc it would read (sysctl.d, modules-load.d)
 * are the host machine's, so those sources are left out of its snapshot (unknown).
 */
import { collectInNetns } from '../collect/collect-in-netns.js';
import { mapLimit } from '../collect/pool.js';
import type { LoadedSnapshot, NodeSnapshot } from '../snapshot/types.js';
import { DEFAULT_PREFIX, nodeNetns } from './build/names.js';
import { readState } from './build/state.js';

/** Sources read from the filesystem that a namespace does not own (they describe the host). */
export const HOST_FILE_SOURCES = ['sysctl-persistent', 'modules-load'];

export async function collectLabNodes(prefix = DEFAULT_PREFIX): Promise<NodeSnapshot[]> {
  const state = readState(prefix);
  if (!state) throw new Error(`no lab with prefix ${prefix} (no state in /run/podpath-lab/${prefix})`);
  const snaps = await mapLimit(state.scenario.nodes, 2, (n) =>
    collectInNetns(nodeNetns(prefix, n.name), { node: n.name }),
  );
  for (const s of snaps) for (const id of HOST_FILE_SOURCES) delete s.sources[id];
  return snaps;
}

/** The snapshots as `loadSnapshot` would return them, origin `lab:<prefix>/<node>`. */
export function asLoadedSnapshots(snaps: NodeSnapshot[], prefix = DEFAULT_PREFIX): LoadedSnapshot[] {
  return snaps.map((snapshot) => {
    const origin = `lab:${prefix}/${snapshot.metadata.node}`;
    const sourceFiles: Record<string, string> = {};
    for (const id of Object.keys(snapshot.sources)) sourceFiles[id] = `${origin}#sources.${id}`;
    return { snapshot, origin, sourceFiles };
  });
}
