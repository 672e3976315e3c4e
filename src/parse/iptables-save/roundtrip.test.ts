/**
 * Round trip through the real tool (root only): each rule set is loaded with
 * `iptables-legacy-restore` into a throwaway network namespace, read back with
 * `iptables-legacy-save`, and both texts are parsed. The kernel's normalised text must
 * give the same chains, the same rule count per chain and the same rule models (line
 * and text aside) as the input — proof that the parser reads options the way iptables
 * does. Nothing touches the root namespace; every namespace is deleted in a finally.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ruleset } from '../../model/iptables.js';
import { corpusDir } from './corpus-fixtures.js';
import { kubeProxyRuleset } from './kube-proxy-fixture.js';
import { parseIptablesSave } from './index.js';

const CORPUS = corpusDir();
const read = (name: string) => readFileSync(join(CORPUS, name), 'utf8');

interface Case {
  name: string;
  text: string;
  family: 'ipv4' | 'ipv6';
  note?: string;
}

function cases(): Case[] {
  const golden = read(
    'kubernetes__pkg-proxy-iptables-proxier_test.go__TestOverallIPTablesRules.expected.txt',
  );
  const ugent = read('firewalls/configs_ugent__iptables-save.v1.4.21');
  const out: Case[] = [
    {
      name: 'kube-proxy golden (TestOverallIPTablesRules)',
      // xt_nfacct needs the accounting objects to exist (`nfacct add NAME`), which a fresh
      // namespace lacks (COMMIT fails): the `-m nfacct --nfacct-name X` matches are removed,
      // the rules themselves kept
      text: golden.replace(/ -m nfacct --nfacct-name \S+/g, ''),
      family: 'ipv4',
      note: `removed ${golden.match(/-m nfacct/g)?.length ?? 0} -m nfacct matches`,
    },
    {
      name: 'k3s iptables-save (nf_tables dump)',
      text: read('ddanielgal-ytdl__research.md@7521438__k3s-pi__iptables-save.txt'),
      family: 'ipv4',
    },
    {
      name: 'k3s ip6tables-save',
      text: read('ddanielgal-ytdl__research.md@7521438__k3s-pi__ip6tables-save.txt'),
      family: 'ipv6',
    },
    {
      name: 'configs_ugent (1.4 `-d ! X` rewritten as `! -d X`, which iptables 1.8 requires)',
      text: ugent.replace(/ -d ! (\S+)/g, ' ! -d $1'),
      family: 'ipv4',
    },
    {
      name: 'generated kube-proxy rule set (300 services x 4 endpoints)',
      text: kubeProxyRuleset(300, 4).text,
      family: 'ipv4',
    },
  ];
  // the firewall dumps SOURCES.md marks as accepted by iptables-legacy-restore 1.8.9
  const accepted = [
    'Parser_Test__data__ip6tables-save',
    'SQRL_Shorewall__2015_aug_iptables-save-spoofing-protection',
    'SQRL_Shorewall__iptables-saveakachan',
    'Synology_Diskstation_DS414__ip6tables-save_jul_2016',
    'config_home_user__typical_home_user_iptables-save',
    'configs_srvs_ufw__server2-iptables-save',
    'configs_synology_diskstation_ds414__iptables-save_jun_2015_legacyifacerules',
    'containern__iptables-save.topos1',
    'containern__iptables-save.topos4.1',
    'gopherproxy.meulie.net__iptables-save',
    'medium-sized-company__iptables-save',
    'openwrt.org__iptables-save-AA.txt_fixed_newline',
    'pastebin.com_bbWXHaTn__iptables-save',
    'sargon__iptables-save.txt',
    'sns.ias.edu__eduroam_iptables-save',
  ];
  for (const f of accepted)
    out.push({
      name: `firewalls/${f}`,
      text: read(`firewalls/${f}`),
      family: f.includes('ip6tables') ? 'ipv6' : 'ipv4',
    });
  return out;
}

function run(
  cmd: string,
  args: string[],
  input?: string,
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error ? String(r.error) : '') };
}

/** Rules without their position and source text (the kernel reprints both). */
function models(rs: Ruleset): Map<string, unknown[]> {
  const m = new Map<string, unknown[]>();
  for (const t of Object.values(rs.tables)) {
    for (const c of Object.values(t?.chains ?? {})) {
      m.set(
        `${t?.name}.${c.name}`,
        c.rules.map(({ line: _l, text: _t, ...rest }) => rest),
      );
    }
  }
  return m;
}

async function roundTrip(t: TestContext, c: Case, ns: string): Promise<void> {
  const v6 = c.family === 'ipv6';
  const add = run('ip', ['netns', 'add', ns]);
  assert.equal(add.status, 0, `ip netns add ${ns}: ${add.stderr}`);
  try {
    const restore = run(
      'ip',
      ['netns', 'exec', ns, v6 ? 'ip6tables-legacy-restore' : 'iptables-legacy-restore'],
      c.text,
    );
    assert.equal(restore.status, 0, `restore rejected ${c.name}: ${restore.stderr}`);
    const save = run('ip', ['netns', 'exec', ns, v6 ? 'ip6tables-legacy-save' : 'iptables-legacy-save']);
    assert.equal(save.status, 0, save.stderr);
    const input = parseIptablesSave(c.text, { family: c.family });
    const saved = parseIptablesSave(save.stdout, { family: c.family });
    assert.deepEqual(
      input.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    assert.deepEqual(
      saved.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    assert.equal(saved.value.backend, 'unknown'); // legacy 1.8 prints no backend mark
    const a = models(input.value);
    const b = models(saved.value);
    let rules = 0;
    for (const [chain, list] of a) {
      assert.ok(b.has(chain), `${chain} missing after the round trip`);
      assert.equal(b.get(chain)?.length, list.length, `${chain}: rule count`);
      assert.deepEqual(b.get(chain), list, `${chain}: rule models`);
      rules += list.length;
    }
    // the kernel adds the built-in chains the input did not declare, with no rules
    for (const [chain, list] of b)
      if (!a.has(chain)) assert.equal(list.length, 0, `${chain} appeared with rules`);
    t.diagnostic(
      `${c.name}: ${rules} rules in ${a.size} chains identical after restore/save${c.note ? ` (${c.note})` : ''}`,
    );
  } finally {
    run('ip', ['netns', 'del', ns]);
  }
}

const isRoot = process.getuid?.() === 0;
const haveTool =
  isRoot && run('iptables-legacy-restore', ['--version']).status === 0 && run('ip', ['-V']).status === 0;

test('round trip through iptables-legacy-restore / -save in a throwaway netns', async (t) => {
  if (!isRoot) {
    t.skip('not root');
    return;
  }
  if (!haveTool) {
    t.skip('iptables-legacy-restore or iproute2 not installed');
    return;
  }
  let k = 0;
  for (const c of cases()) {
    const ns = `ppA-${process.pid}-${k++}`;
    await t.test(c.name, (tt) => roundTrip(tt, c, ns));
  }
});
