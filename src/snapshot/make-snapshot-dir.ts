/**
 * @module snapshot/make-snapshot-dir
 * Test support: writes a small directory snapshot (files named as a shell collector would)
 * into a fresh temporary folder and returns its path.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const SAMPLE_FILES: Record<string, string> = {
  'hostname.txt': 'k8s-worker\n',
  'sysctl.txt': 'net.ipv4.ip_forward = 1\nnet.bridge.bridge-nf-call-iptables = 0\n',
  'uname.txt':
    'Linux k8s-worker 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01) x86_64 GNU/Linux\n',
  'ip-route.json': '[{"dst":"default","gateway":"172.80.0.1","dev":"eth0","flags":[]}]\n',
  'iptables-save.txt': '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n',
  'resolv.conf': 'nameserver 10.96.0.10\n',
  'nft-ruleset.exitcode': '127\n',
  'nft-ruleset.stderr': 'sh: nft: not found\n',
  'ss.txt': 'State Recv-Q Send-Q\n',
  'README.md': 'not a source\n',
  'netns/cni-1/ip-addr.json': '[]\n',
  'netns/cni-1/pod.json': '{ "namespace": "default", "name": "client" }\n',
  'netns/cni-2/ip-route.txt': 'default via 10.244.1.1 dev eth0\n',
};

const made: string[] = [];

/** a fresh temporary folder, removed by `removeTempDirs` */
export async function makeTempDir(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'ppB-snap-'));
  made.push(root);
  return root;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** `<tmp>/<name>/` holding `files`; returns that folder */
export async function makeSnapshotDir(
  files: Record<string, string> = SAMPLE_FILES,
  name = 'k8s-worker-dump',
): Promise<string> {
  const dir = join(await makeTempDir(), name);
  for (const [rel, text] of Object.entries(files)) {
    const p = join(dir, rel);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, text);
  }
  await mkdir(dir, { recursive: true });
  return dir;
}
