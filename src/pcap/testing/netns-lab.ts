/**
 * @module pcap/testing/netns-lab
 * A throwaway pair of network namespaces joined by a veth (`veth0` in each), for capture
 * tests with the real kernel and tcpdump/dumpcap. Root only; nothing touches the root
 * namespace (the veth is created inside the first namespace). Always call `destroy()`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export interface Lab {
  a: string;
  b: string;
  ipA: string;
  ipB: string;
  /** runs a command in a namespace, throwing on failure */
  exec(ns: string, cmd: string[]): string;
  destroy(): void;
}

function sh(cmd: string[]): { status: number; out: string; err: string } {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8' });
  return { status: r.status ?? -1, out: r.stdout ?? '', err: r.stderr ?? (r.error?.message || '') };
}

export function canRunLab(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root: the real-kernel capture tests need network namespaces';
  for (const tool of ['ip', 'tcpdump', 'dumpcap', 'tshark', 'iptables']) {
    if (sh(['sh', '-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  return undefined;
}

export function createLab(prefix: string): Lab {
  const a = `${prefix}-a`;
  const b = `${prefix}-b`;
  const lab: Lab = {
    a,
    b,
    ipA: '10.99.0.1',
    ipB: '10.99.0.2',
    exec(ns, cmd) {
      const r = sh(['ip', 'netns', 'exec', ns, ...cmd]);
      if (r.status !== 0) throw new Error(`${ns}: ${cmd.join(' ')}: ${r.err.trim()}`);
      return r.out;
    },
    destroy() {
      for (const ns of [a, b]) sh(['ip', 'netns', 'del', ns]);
    },
  };
  lab.destroy(); // leftovers of an interrupted run
  try {
    for (const ns of [a, b]) {
      const r = sh(['ip', 'netns', 'add', ns]);
      if (r.status !== 0) throw new Error(`ip netns add ${ns}: ${r.err.trim()}`);
    }
    const run = (ns: string, ...cmd: string[]) => lab.exec(ns, cmd);
    run(a, 'ip', 'link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth0', 'netns', b);
    for (const [ns, ip] of [
      [a, lab.ipA],
      [b, lab.ipB],
    ] as const) {
      run(ns, 'ip', 'link', 'set', 'lo', 'up');
      run(ns, 'ip', 'addr', 'add', `${ip}/24`, 'dev', 'veth0');
      run(ns, 'ip', 'link', 'set', 'veth0', 'up');
      run(ns, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1');
    }
  } catch (e) {
    lab.destroy();
    throw e;
  }
  return lab;
}

/** Starts a capture tool in a namespace and resolves once it says it is listening. */
export function startCapture(
  ns: string,
  cmd: string[],
  ready: RegExp,
  timeoutMs = 8000,
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, ...cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd[0]} did not start within ${timeoutMs} ms: ${err}`));
    }, timeoutMs);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (ready.test(err)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${cmd[0]} exited with ${code}: ${err}`));
    });
  });
}

/** Stops a capture (SIGINT, so it flushes) and waits for it. */
export function stopCapture(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.removeAllListeners('exit');
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGINT');
  });
}
