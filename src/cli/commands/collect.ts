/**
 * @module cli/commands/collect
 * `podpath collect [-o FILE] [--netns-dir DIR] [--node NAME] [--netns NAME] [--quiet]`,
 * `podpath collect --script` (a POSIX sh collector for nodes without Node.js)
 */
import { writeFileSync } from 'node:fs';
import { InputError, parseFlags } from '../args.js';
import { collectSnapshot } from '../../collect/collect.js';
import { collectInNetns } from '../../collect/collect-in-netns.js';
import { collectScript } from '../../collect/collect-script.js';
import type { NodeSnapshot } from '../../snapshot/types.js';

const HELP = `usage: podpath collect [-o FILE] [--netns-dir DIR] [--node NAME] [--netns NAME] [--quiet]
       podpath collect --script > podpath-collect.sh

Snapshots the network namespace it runs in, read-only: sysctls (net.*), links, addresses,
routes, rules, neighbours, bridge ports and FDB, iptables (legacy and nft), nftables,
IPVS, ipsets, conntrack, resolv.conf, CNI and persistent sysctl/module configuration,
and the pod network namespaces behind its bridges. Missing tools are recorded (exit 127).
Needs root for a complete picture.
  -o, --output FILE   write the JSON there instead of stdout
  --netns-dir DIR     where named pod namespaces live (default /run/netns)
  --node NAME         node name for metadata.node (default: the hostname)
  --netns NAME        collect inside the named namespace NAME instead (ip netns exec)
  --quiet             no progress on stderr
  --script            print a POSIX sh script (dash, busybox) that gathers the same sources on a
                      node without Node.js into a .tar.gz for --snapshot:
                        sh podpath-collect.sh [OUT.tar.gz]   (default /tmp/podpath-<hostname>.tar.gz)`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    output: { type: 'string', short: 'o' },
    'netns-dir': { type: 'string' },
    node: { type: 'string' },
    netns: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    script: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.script) {
    process.stdout.write(collectScript());
    return 0;
  }
  const progress = values.quiet ? undefined : (line: string): void => void process.stderr.write(line + '\n');
  let snap: NodeSnapshot;
  if (values.netns) {
    snap = await collectInNetns(values.netns, {
      ...(values.node ? { node: values.node } : {}),
      ...(values['netns-dir'] ? { netnsDir: values['netns-dir'] } : {}),
    });
  } else {
    snap = await collectSnapshot({
      ...(values.node ? { node: values.node } : {}),
      ...(values['netns-dir'] ? { netnsDir: values['netns-dir'] } : {}),
      ...(progress ? { progress } : {}),
    });
  }
  const json = JSON.stringify(snap, null, 1) + '\n';
  if (values.output) {
    try {
      writeFileSync(values.output, json);
    } catch (e) {
      throw new InputError(`cannot write ${values.output}: ${(e as Error).message}`);
    }
    progress?.(`collect: wrote ${values.output}`);
  } else {
    process.stdout.write(json);
  }
  return 0;
}
