/**
 * Real captures: tcpdump (-i any -> SLL2, -i veth0 -> Ethernet, nanosecond pcap, text
 * output) and dumpcap (pcapng) record a healthy exchange, a closed port and a SYN dropped
 * by iptables between two throwaway namespaces; podpath must find exactly rst-refused and
 * syn-unanswered, and count the packets tshark counts. Skipped (visibly) when not root.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeBuffer, analyzeFile } from './analyze.js';
import { canRunLab, createLab, startCapture, stopCapture, type Lab } from './testing/netns-lab.js';

const why = canRunLab();

/** Server in ns b: 8080 answers with 20 kB; 8081 is closed; 8082 is dropped by iptables. */
const SERVER = `
const net = require('net');
net.createServer((s) => { s.once('data', () => s.end(Buffer.alloc(20000, 120))); s.on('error', () => {}); })
  .listen(8080, '0.0.0.0', () => process.stdout.write('ready\\n'));
`;

/** Client in ns a: one healthy request, one refused connect, one connect left hanging 3.6 s. */
const CLIENT = (ip: string) => `
const net = require('net');
const conn = (port) => new Promise((res) => { const s = net.connect(port, '${ip}'); const t = setTimeout(() => { s.destroy(); res('timeout'); }, 3600);
  s.on('connect', () => { s.write('GET / HTTP/1.0\\r\\n\\r\\n'); }); let n = 0; s.on('data', (d) => { n += d.length; });
  s.on('end', () => { clearTimeout(t); s.end(); res('ok ' + n); }); s.on('error', (e) => { clearTimeout(t); res(e.code); }); });
(async () => { const r = [await conn(8080), await conn(8081)]; r.push(await conn(8082)); console.log(JSON.stringify(r)); })();
`;

function tsharkCount(file: string): number {
  const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l.trim() !== '').length;
}

test(
  'real captures between two namespaces: healthy, refused, dropped',
  { skip: why, timeout: 60_000 },
  async () => {
    let lab: Lab | undefined;
    const children: ChildProcess[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'ppE-real-'));
    try {
      lab = createLab('ppE');
      lab.exec(lab.b, ['iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', '8082', '-j', 'DROP']);
      const server = spawn('ip', ['netns', 'exec', lab.b, process.execPath, '-e', SERVER], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(server);
      await new Promise<void>((res, rej) => {
        server.stdout!.once('data', () => res());
        server.once('exit', (c) => rej(new Error(`server exited ${c}`)));
      });
      const files = {
        any: join(dir, 'any.pcap'),
        eth: join(dir, 'veth0.pcap'),
        nano: join(dir, 'veth0-nano.pcap'),
        ng: join(dir, 'veth0.pcapng'),
        text: join(dir, 'veth0.txt'),
      };
      const listening = /listening on/;
      children.push(
        await startCapture(
          lab.a,
          ['tcpdump', '-i', 'any', '--immediate-mode', '-s', '1024', '-B', '32768', '-U', '-w', files.any],
          listening,
        ),
      );
      children.push(
        await startCapture(
          lab.a,
          ['tcpdump', '-i', 'veth0', '--immediate-mode', '-s', '1024', '-B', '32768', '-U', '-w', files.eth],
          listening,
        ),
      );
      children.push(
        await startCapture(
          lab.a,
          [
            'tcpdump',
            '-i',
            'veth0',
            '--immediate-mode',
            '-s',
            '1024',
            '-B',
            '32768',
            '-U',
            '--time-stamp-precision',
            'nano',
            '-w',
            files.nano,
          ],
          listening,
        ),
      );
      children.push(
        await startCapture(lab.a, ['dumpcap', '-i', 'veth0', '-q', '-w', files.ng], /Capturing on|File:/),
      );
      const text = await startCapture(
        lab.a,
        ['tcpdump', '-i', 'veth0', '--immediate-mode', '-s', '1024', '-B', '32768', '-nn', '-tttt', '-l'],
        listening,
      );
      text.stdout!.pipe(createWriteStream(files.text));
      children.push(text);
      const client = spawnSync('ip', ['netns', 'exec', lab.a, process.execPath, '-e', CLIENT(lab.ipB)], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      assert.deepEqual(JSON.parse(client.stdout), ['ok 20000', 'ECONNREFUSED', 'timeout'], client.stderr);
      await new Promise((r) => setTimeout(r, 300));
      for (const c of children.splice(1)) await stopCapture(c);

      const expectIds = ['rst-refused', 'syn-unanswered'];
      const checks: [string, string, number[]][] = [
        [files.any, 'pcap', [276]],
        [files.eth, 'pcap', [1]],
        [files.nano, 'pcap-nsec', [1]],
        [files.ng, 'pcapng', [1]],
      ];
      for (const [file, format, linkTypes] of checks) {
        const r = await analyzeFile(file);
        assert.equal(r.format, format, file);
        assert.deepEqual([...new Set(r.linkTypes)], linkTypes, file);
        assert.deepEqual(r.diagnostics, [], file);
        assert.equal(r.packets, tsharkCount(file), `${file}: packet count as tshark counts`);
        assert.deepEqual(
          r.findings.map((f) => f.id).sort(),
          expectIds,
          `${file}: ${r.findings.map((f) => f.title).join('; ')}`,
        );
        const refused = r.findings.find((f) => f.id === 'rst-refused')!;
        assert.match(refused.title, /10\.99\.0\.2:8081/);
        const dropped = r.findings.find((f) => f.id === 'syn-unanswered')!;
        assert.match(dropped.title, /10\.99\.0\.2:8082/);
        assert.ok(dropped.packets.length >= 3, `${file}: SYN and two retransmissions`);
        assert.ok(
          !r.findings.some((f) => f.title.includes(':8080')),
          `${file}: the healthy exchange gives no finding`,
        );
      }
      const t = analyzeBuffer(readFileSync(files.text), { text: true, file: files.text });
      assert.equal(
        t.packets,
        tsharkCount(files.eth) - countArp(files.eth),
        'text lines: every IP packet of the same interface',
      );
      assert.deepEqual(t.findings.map((f) => f.id).sort(), expectIds);
    } finally {
      for (const c of children) await stopCapture(c);
      lab?.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

function countArp(file: string): number {
  const r = spawnSync('tshark', ['-r', file, '-Y', 'arp', '-T', 'fields', '-e', 'frame.number'], {
    encoding: 'utf8',
  });
  return r.stdout.split('\n').filter((l) => l.trim() !== '').length;
}
