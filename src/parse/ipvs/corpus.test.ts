import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { realCorpusDir } from '../../snapshot/repo-root.js';
import { parseIpvsadm } from './parse-ipvsadm.js';
import { parseIpset } from '../ipset/parse-ipset.js';

const dir = realCorpusDir(import.meta.url);
const CALICO = 'unresolved-source__kubeadm-calico-ipvs-mode__iptables-save-nat_ipvsadm_kube-ipvs0_ipset.txt';
const DEMO = 'electrocucaracha-k8s-NetworkingDeepDive-demo__ipvs-README.md__ipvsadm-stats.log';
const skip = existsSync(join(dir, CALICO)) ? false : `corpus not found at ${dir}`;

/** the output of the shell command `$ <cmd>` up to the next prompt */
function afterPrompt(file: string, cmd: string): string {
  const text = readFileSync(join(dir, file), 'utf8');
  const start = text.indexOf(`$ ${cmd}\n`);
  assert.ok(start >= 0, `no "$ ${cmd}" in ${file}`);
  const body = text.slice(start + cmd.length + 3);
  const end = body.search(/^\$ /m);
  return end < 0 ? body : body.slice(0, end);
}

test('real kubeadm+Calico IPVS node: every ipvsadm -L -n line parses', { skip }, () => {
  const r = parseIpvsadm(afterPrompt(CALICO, 'sudo ipvsadm -L -n'));
  assert.deepEqual(r.diagnostics, []);
  const s = r.value.services;
  assert.equal(s.length, 10);
  assert.equal(
    s.reduce((n, x) => n + x.dests.length, 0),
    22,
  );
  assert.ok(
    s.every((x) => x.scheduler === 'rr' && x.dests.every((d) => d.forward === 'masq' && d.weight === 1)),
  );
  const webhook = s.find((x) => x.addr === '10.101.177.188')!;
  assert.deepEqual(
    webhook.dests.map((d) => `${d.addr}:${d.port} ${d.activeConns}/${d.inactConns}`),
    ['192.168.185.5:5443 1/1', '192.168.185.6:5443 1/0'],
  );
  assert.deepEqual(
    s.filter((x) => x.proto === 'udp').map((x) => `${x.addr}:${x.port}`),
    ['10.96.0.10:53'],
  );
});

test(
  'real kubeadm+Calico IPVS node: ipset -L KUBE-CLUSTER-IP parses (the elided "..." lines are reported)',
  { skip },
  () => {
    const text = afterPrompt(CALICO, 'ipset -L');
    const r = parseIpset(text);
    const lines = text.split('\n');
    assert.ok(r.diagnostics.length > 0);
    for (const d of r.diagnostics) assert.equal(lines[d.line - 1]!.trim(), '...', `${d.line}: ${d.message}`);
    const set = r.value.sets.get('KUBE-CLUSTER-IP')!;
    assert.equal(set.type, 'hash:ip,port');
    assert.equal(set.family, 'inet');
    assert.equal(set.members.length, 7);
    assert.deepEqual(set.members[4]!.parts[1], { k: 'port', proto: 'udp', from: 53, to: 53 });
  },
);

test('real ipvsadm -Ln / --stats blocks of the IPVS demo: all parse', { skip }, () => {
  const text = readFileSync(join(dir, DEMO), 'utf8');
  const blocks = text
    .split(/\n(?=IP Virtual Server version)/)
    .slice(1)
    .map((b) => b.slice(0, b.search(/\n\s*\n|\n```/) < 0 ? undefined : b.search(/\n\s*\n|\n```/)));
  assert.equal(blocks.length, 6);
  const parsed = blocks.map((b) => parseIpvsadm(b));
  for (const p of parsed) {
    assert.deepEqual(p.diagnostics, []);
    assert.equal(p.value.services.length, 1);
    assert.equal(p.value.services[0]!.addr, '1.2.3.4');
    assert.deepEqual(
      p.value.services[0]!.dests.map((d) => d.addr),
      ['172.80.0.2', '172.80.0.3', '172.80.0.4'],
    );
  }
  const wrr = parsed.find((p) => p.value.services[0]!.scheduler === 'wrr')!;
  assert.deepEqual(
    wrr.value.services[0]!.dests.map((d) => [d.forward, d.weight, d.activeConns, d.inactConns]),
    [
      ['masq', 3, 2, 4],
      ['masq', 1, 0, 6],
      ['masq', 1, 0, 6],
    ],
  );
});
