import { after, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './pcap.js';
import { InputError, UsageError } from '../args.js';
import { Scenario } from '../../pcap/testing/scenario.js';
import { healthyTcp } from '../../pcap/testing/conversations.js';
import { repoRoot } from '../../pcap/testing/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'ppE-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, data: Uint8Array | string) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};

async function capture(t: TestContext, argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  t.mock.method(console, 'log', (...a: unknown[]) => lines.push(a.join(' ')));
  const code = await run(argv);
  t.mock.restoreAll();
  return { code, out: lines.join('\n') };
}

const incident = `    podA.45954 > 10.233.53.172.8080: Flags [S]
    10.224.1.56.8080 > podA.45954:   Flags [S.]    <- reply comes from the POD IP
    podA.45954 > 10.224.1.56.8080:   Flags [R]     <- podA does not know it: reset
`;

test('pcap --text on the incident: summary line, the critical finding, exit 1', async (t) => {
  const { code, out } = await capture(t, [file('incident.txt', incident), '--text']);
  assert.equal(code, 1);
  assert.match(out.split('\n')[0]!, /incident\.txt: 3 packets, 2 flows, 0\.000 s \(tcpdump-text\)/);
  assert.match(out, /CRITICAL \(1\)/);
  assert.match(
    out,
    /nat-reply-bypass: Replies from 10\.224\.1\.56:8080 bypass the reverse NAT of 10\.233\.53\.172:8080/,
  );
  assert.match(out, /packet: {3}.*incident\.txt#2 \(line 2\)/);
});

test('pcap --json on a healthy capture: the report shape, no findings, exit 0', async (t) => {
  const s = healthyTcp(new Scenario(), '10.244.1.5', 40000, '10.96.0.1', 443);
  const { code, out } = await capture(t, [file('healthy.pcap', s.pcap()), '--json']);
  assert.equal(code, 0);
  const r = JSON.parse(out);
  assert.equal(r.format, 'pcap');
  assert.equal(r.packets, s.frames.length);
  assert.equal(r.flows, 1);
  assert.deepEqual(r.linkTypes, [1]);
  assert.deepEqual(r.findings, []);
  assert.ok(r.duration > 0);
});

test('pcap with --snapshot names pods; --fail-on critical ignores warnings', async (t) => {
  const s = new Scenario();
  s.at(0).tcp('10.224.1.34', 40000, '10.224.1.56', 8081, 'S', { seq: 1 });
  s.at(0.001).tcp('10.224.1.56', 8081, '10.224.1.34', 40000, 'R.', { ack: 2 });
  const snap = join(repoRoot(import.meta.url), 'examples', 'incident-model', 'node1.json');
  const p = file('refused.pcap', s.pcap());
  const named = await capture(t, [p, '--snapshot', snap, '--json']);
  assert.equal(named.code, 1);
  const f = JSON.parse(named.out).findings[0];
  assert.equal(f.id, 'rst-refused');
  assert.match(f.title, /spring-prod\/[a-z0-9-]+ \(10\.224\.1\.56\):8081/);
  const lenient = await capture(t, [p, '--fail-on', 'critical']);
  assert.equal(lenient.code, 0);
});

test('unreadable or wrong input exits 2 with the file and offset named; bad usage is a UsageError', async (t) => {
  await assert.rejects(
    run([join(dir, 'missing.pcap')]),
    (e: Error) => e instanceof InputError && /missing\.pcap: cannot read/.test(e.message),
  );
  await assert.rejects(
    run([file('junk.bin', Buffer.from([0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0]))]),
    (e: Error) => e instanceof InputError && /junk\.bin at byte offset 0: .*WRONG_FORMAT/.test(e.message),
  );
  const cut = new Scenario().at(0).tcp('1.1.1.1', 1, '2.2.2.2', 2, 'S').pcap().subarray(0, 30);
  await assert.rejects(
    run([file('cut.pcap', cut)]),
    (e: Error) => e instanceof InputError && /cut\.pcap at byte offset 24: record 1/.test(e.message),
  );
  await assert.rejects(run([]), UsageError);
  await assert.rejects(run(['a', 'b']), UsageError);
  await assert.rejects(run(['a', '--fail-on', 'loud']), UsageError);
  await assert.rejects(run(['a', '--bogus']), UsageError);
  const help = await capture(t, ['--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /usage: podpath pcap FILE/);
});

test('a truncated capture keeps what was read and says where it stopped', async (t) => {
  const s = healthyTcp(new Scenario(), '10.244.1.5', 40000, '10.96.0.1', 443);
  const data = s.pcap();
  const { code, out } = await capture(t, [file('trunc.pcap', data.subarray(0, data.length - 5))]);
  assert.equal(code, 0);
  assert.match(out, new RegExp(`trunc\\.pcap: ${s.frames.length - 1} packets`));
  assert.match(
    out,
    /warning: .*trunc\.pcap: error UNEXPECTED_EOF: record \d+ at byte offset \d+ is cut short/,
  );
});

test('the incident as a capture, with the node snapshot: names and the cause (bridge-nf-call-iptables = 0)', async (t) => {
  const s = new Scenario();
  s.at(0).tcp('10.224.1.34', 45954, '10.233.53.172', 8080, 'S', { seq: 1108986852, mss: 1410 });
  s.at(0.0001).tcp('10.224.1.56', 8080, '10.224.1.34', 45954, 'S.', { seq: 3860576650, ack: 1108986853 });
  s.at(0.0002).tcp('10.224.1.34', 45954, '10.224.1.56', 8080, 'R', { seq: 1108986853 });
  const snap = join(repoRoot(import.meta.url), 'examples', 'incident', 'node1.json');
  const { code, out } = await capture(t, [file('incident.pcap', s.pcap()), '--snapshot', snap, '--json']);
  assert.equal(code, 1);
  const f = JSON.parse(out).findings[0];
  assert.equal(f.id, 'nat-reply-bypass');
  assert.equal(f.node, 'node1');
  assert.match(
    f.title,
    /spring-prod\/[a-z0-9-]+ \(10\.224\.1\.56\):8080 bypass the reverse NAT of 10\.233\.53\.172:8080/,
  );
  const cause = f.evidence.find((e: { text: string }) => e.text.startsWith('cause on node1'));
  assert.match(cause.text, /net\.bridge\.bridge-nf-call-iptables = 0/);
  assert.match(cause.source, /^node1:sysctl:\d+$/);
});

/** The incident's three packets (SYN to the VIP, SYN-ACK from the pod, RST), then a healthy exchange. */
function incidentThenHealthy(): Scenario {
  const s = new Scenario();
  s.at(0).tcp('10.224.1.34', 45954, '10.233.53.172', 8080, 'S', { seq: 1108986852, mss: 1410 });
  s.at(0.0001).tcp('10.224.1.56', 8080, '10.224.1.34', 45954, 'S.', { seq: 3860576650, ack: 1108986853 });
  s.at(0.0002).tcp('10.224.1.34', 45954, '10.224.1.56', 8080, 'R', { seq: 1108986853 });
  return healthyTcp(s, '10.224.1.34', 45960, '10.224.2.23', 8080, 0.5);
}

const inventory = {
  kind: 'List',
  items: [
    { kind: 'Pod', metadata: { namespace: 'spring-prod', name: 'client' }, status: { podIP: '10.224.1.34' } },
    {
      kind: 'Pod',
      metadata: { namespace: 'spring-prod', name: 'frontend-a' },
      status: { podIP: '10.224.1.56' },
    },
    {
      kind: 'Service',
      metadata: { namespace: 'spring-prod', name: 'panorama-v2-frontend-service' },
      spec: { clusterIP: '10.233.53.172' },
    },
  ],
};

test('pcap --cluster: pods and the Service by name in the text report (pcapng input)', async (t) => {
  const p = file('incident.pcapng', incidentThenHealthy().pcapng());
  const cluster = file('cluster.json', JSON.stringify(inventory));
  const { code, out } = await capture(t, [p, '--cluster', cluster]);
  assert.equal(code, 1);
  assert.match(
    out,
    /Replies from spring-prod\/frontend-a \(10\.224\.1\.56\):8080 bypass the reverse NAT of svc spring-prod\/panorama-v2-frontend-service \(10\.233\.53\.172\):8080/,
  );
  assert.match(out, /spring-prod\/client \(10\.224\.1\.34\)/);
  // without names the same report shows bare addresses
  const bare = await capture(t, [p]);
  assert.doesNotMatch(bare.out, /spring-prod\//);
  await assert.rejects(
    run([p, '--cluster', file('bad-cluster.json', '{')]),
    (e: Error) =>
      e instanceof InputError && /bad-cluster\.json: cannot read the cluster inventory/.test(e.message),
  );
});

test('a corrupt record mid-file: findings before it are kept, the offset is named (text, --json)', async (t) => {
  const s = incidentThenHealthy();
  const data = Buffer.from(s.pcap());
  const sizes = s.ordered().map((f) => 16 + f.data.length);
  const at = 24 + sizes.slice(0, 3).reduce((a, b) => a + b, 0); // the 4th record, after the incident
  data.writeUInt32LE(0x7fffffff, at + 8); // its captured length
  const p = file('corrupt.pcap', data);
  const text = await capture(t, [p]);
  assert.equal(text.code, 1, 'the finding read before the corruption still counts');
  assert.match(text.out, /corrupt\.pcap: 3 packets/);
  assert.match(text.out, new RegExp(`warning: .*corrupt\\.pcap: error BAD_VALUE: .*byte offset ${at}`));
  assert.match(text.out, /nat-reply-bypass/);
  const lines: string[] = [];
  t.mock.method(process.stderr, 'write', (chunk: string) => (lines.push(String(chunk)), true));
  const json = await capture(t, [p, '--json']);
  t.mock.restoreAll();
  assert.match(lines.join(''), /podpath: warning: .*corrupt\.pcap: /);
  const r = JSON.parse(json.out);
  assert.equal(r.packets, 3);
  assert.deepEqual(
    r.diagnostics.map((d: { code: string; offset: number }) => [d.code, d.offset]),
    [['BAD_VALUE', at]],
  );
  assert.deepEqual(
    r.findings.map((f: { id: string }) => f.id),
    ['nat-reply-bypass'],
  );
  // a truncated pcapng: the same, with the cut block's offset
  const ng = s.pcapng();
  const cut = file('cut.pcapng', ng.subarray(0, ng.length - 10));
  const ngText = await capture(t, [cut]);
  assert.equal(ngText.code, 1);
  assert.match(ngText.out, /warning: .*cut\.pcapng: error UNEXPECTED_EOF: .*byte offset \d+/);
  assert.match(ngText.out, new RegExp(`cut\\.pcapng: ${s.frames.length - 1} packets`));
});
