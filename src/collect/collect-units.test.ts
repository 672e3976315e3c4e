import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandLine, runCommand } from './run-command.js';
import { readNetSysctls, sysctlName } from './read-sysctl.js';
import { readFramed } from './read-framed.js';
import { bridgePorts, matchPort } from './pod-netns.js';
import { mapLimit } from './pool.js';

test('a missing tool is exit code 127, never a throw', async () => {
  const r = await runCommand('podpath-no-such-tool', ['-x']);
  assert.equal(r.exitCode, 127);
  assert.equal(r.command, 'podpath-no-such-tool -x');
  assert.match(r.stderr, /ENOENT/);
});

test('exit codes, stdin, timeout and output cap are recorded', async () => {
  assert.equal((await runCommand('sh', ['-c', 'exit 3'])).exitCode, 3);
  assert.equal((await runCommand('cat', [], { input: 'hello\n' })).stdout, 'hello\n');
  const slow = await runCommand('sleep', ['5'], { timeoutMs: 100 });
  assert.equal(slow.exitCode, 124);
  assert.match(slow.stderr, /killed after 100 ms/);
  const big = await runCommand('sh', ['-c', 'yes x | head -c 100000'], { maxBytes: 1000 });
  assert.equal(big.stdout.length, 1000);
  assert.equal(big.truncated, true);
  assert.match(big.stderr, /truncated at 1000 bytes/);
});

test('the command a snapshot records is shell-quoted where needed', () => {
  assert.equal(
    commandLine('ip', ['-j', '-d', 'route', 'show', 'table', 'all']),
    'ip -j -d route show table all',
  );
  assert.equal(commandLine('sh', ['-c', `echo "it's"`]), `sh -c 'echo "it'\\''s"'`);
});

test('sysctl names are dotted as sysctl -a prints them', () => {
  assert.equal(sysctlName('/proc/sys/net/ipv4/ip_forward'), 'net.ipv4.ip_forward');
  assert.equal(sysctlName('/proc/sys/net/ipv4/conf/eth0.100/rp_filter'), 'net.ipv4.conf.eth0/100.rp_filter');
  assert.equal(sysctlName('/x/net/ipv4/conf/flannel.1/rp_filter', '/x'), 'net.ipv4.conf.flannel/1.rp_filter');
});

test('sysctl walk reads net.* sorted and skips unreadable entries', async () => {
  const root = mkdtempSync(join(tmpdir(), 'ppsysctl-'));
  try {
    mkdirSync(join(root, 'net', 'ipv4', 'conf', 'flannel.1'), { recursive: true });
    mkdirSync(join(root, 'net', 'bridge'), { recursive: true });
    writeFileSync(join(root, 'net', 'ipv4', 'ip_forward'), '1\n');
    writeFileSync(join(root, 'net', 'ipv4', 'ip_local_port_range'), '32768\t60999\n');
    writeFileSync(join(root, 'net', 'ipv4', 'conf', 'flannel.1', 'rp_filter'), '0\n');
    writeFileSync(join(root, 'net', 'bridge', 'bridge-nf-call-iptables'), '0\n');
    mkdirSync(join(root, 'net', 'ipv4', 'route', 'flush'), { recursive: true }); // a dir with nothing readable
    const r = await readNetSysctls(root);
    assert.equal(
      r.text,
      'net.bridge.bridge-nf-call-iptables = 0\nnet.ipv4.conf.flannel/1.rp_filter = 0\nnet.ipv4.ip_forward = 1\nnet.ipv4.ip_local_port_range = 32768\t60999\n',
    );
    assert.equal(r.read, 4);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('framed files: ==> PATH <== per file, directories in name order, absent paths are fine', async () => {
  const root = mkdtempSync(join(tmpdir(), 'ppframed-'));
  try {
    mkdirSync(join(root, 'sysctl.d'));
    writeFileSync(join(root, 'sysctl.conf'), 'net.ipv4.ip_forward = 1');
    writeFileSync(join(root, 'sysctl.d', '99-k8s.conf'), 'net.bridge.bridge-nf-call-iptables = 1\n');
    writeFileSync(join(root, 'sysctl.d', '10-a.conf'), '# a\n');
    writeFileSync(join(root, 'sysctl.d', 'README'), 'not a conf\n');
    const r = await readFramed({
      paths: [join(root, 'sysctl.conf'), join(root, 'sysctl.d'), join(root, 'absent.d')],
      suffix: '.conf',
    });
    assert.equal(r.exitCode, 0);
    assert.equal(
      r.stdout,
      `==> ${root}/sysctl.conf <==\nnet.ipv4.ip_forward = 1\n==> ${root}/sysctl.d/10-a.conf <==\n# a\n==> ${root}/sysctl.d/99-k8s.conf <==\nnet.bridge.bridge-nf-call-iptables = 1\n`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

const HOST_LINKS = JSON.stringify([
  { ifindex: 1, ifname: 'lo', linkinfo: undefined },
  { ifindex: 3, ifname: 'cni0', linkinfo: { info_kind: 'bridge' } },
  {
    ifindex: 5,
    ifname: 'veth1',
    link_index: 2,
    link_netnsid: 0,
    master: 'cni0',
    linkinfo: { info_kind: 'veth', info_slave_kind: 'bridge' },
  },
  {
    ifindex: 6,
    ifname: 'veth2',
    link_index: 2,
    link_netnsid: 1,
    master: 'cni0',
    linkinfo: { info_kind: 'veth', info_slave_kind: 'bridge' },
  },
  { ifindex: 7, ifname: 'vethx', link_index: 2, link_netnsid: 2, linkinfo: { info_kind: 'veth' } },
  { ifindex: 8, ifname: 'flannel.1', linkinfo: { info_kind: 'vxlan' } },
]);

test('bridge ports are the veths enslaved to a bridge', () => {
  assert.deepEqual(
    bridgePorts(HOST_LINKS).map((p) => [p.ifname, p.ifindex, p.peerIndex, p.peerNetnsId]),
    [
      ['veth1', 5, 2, 0],
      ['veth2', 6, 2, 1],
    ],
  );
  assert.deepEqual(bridgePorts('not json'), []);
});

test('the peer namespace is told by the ifindex pair and, since ifindexes repeat, the netns id', () => {
  const ports = bridgePorts(HOST_LINKS);
  const pod = (peer: number) =>
    JSON.stringify([
      { ifindex: 1, ifname: 'lo' },
      { ifindex: 2, ifname: 'eth0', link_index: peer, link_netnsid: 0 },
    ]);
  assert.equal(matchPort(ports, pod(6), 1)?.ifname, 'veth2');
  assert.equal(matchPort(ports, pod(5), 0)?.ifname, 'veth1');
  assert.equal(matchPort(ports, pod(6), 0), undefined, 'same indexes, another namespace');
  assert.equal(matchPort(ports, pod(9), undefined), undefined);
  assert.equal(matchPort(ports, pod(5), undefined)?.ifname, 'veth1', 'without ids the index pair decides');
});

test('mapLimit keeps order and bounds concurrency', async () => {
  let running = 0;
  let peak = 0;
  const r = await mapLimit([5, 1, 4, 2, 3], 2, async (x) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((res) => setTimeout(res, x * 3));
    running--;
    return x * 10;
  });
  assert.deepEqual(r, [50, 10, 40, 20, 30]);
  assert.equal(peak, 2);
});
