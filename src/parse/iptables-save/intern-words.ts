/**
 * @module parse/iptables-save/intern-words
 * The words the tokenizer hands out as shared strings: commands, core options, every
 * option, module and target name the parser knows, and values kube-proxy and CNI plugins
 * repeat on every rule.
 */
import { MATCH_SPECS } from './parse-matches.js';
import { TARGET_SPECS } from './parse-targets.js';
import { InternTable } from './tokenize-rule.js';

const COMMON = [
  '-A',
  '-I',
  '-N',
  '-P',
  '-X',
  '-F',
  '-D',
  '-s',
  '-d',
  '-i',
  '-o',
  '-p',
  '-f',
  '-m',
  '-j',
  '-g',
  '-c',
  '!',
  '-',
  '[0:0]',
  'ACCEPT',
  'DROP',
  'RETURN',
  'tcp',
  'udp',
  'sctp',
  'icmp',
  'icmpv6',
  'all',
  'NEW',
  'ESTABLISHED',
  'RELATED',
  'INVALID',
  'RELATED,ESTABLISHED',
  'ESTABLISHED,RELATED',
  'RELATED,ESTABLISHED,DNAT',
  'LOCAL',
  'random',
  'nth',
  'src',
  'dst',
  'dst,dst',
  'src,dst',
  'dst,dst,src',
  '0x4000/0x4000',
  '0x4000/0x0',
  '0x4000',
  '0x8000/0x8000',
  '0x2000/0x2000',
  'KUBE-SERVICES',
  'KUBE-MARK-MASQ',
  'KUBE-MARK-DROP',
  'KUBE-NODEPORTS',
  'KUBE-POSTROUTING',
  'KUBE-FORWARD',
  'KUBE-FIREWALL',
  'KUBE-PROXY-FIREWALL',
  'KUBE-EXTERNAL-SERVICES',
  'KUBE-NODE-PORT',
  'KUBE-LOAD-BALANCER',
  'PREROUTING',
  'INPUT',
  'FORWARD',
  'OUTPUT',
  'POSTROUTING',
  'CNI-HOSTPORT-SETMARK',
  'CNI-HOSTPORT-DNAT',
  'icmp-port-unreachable',
  'tcp-reset',
  '0/0',
  '0.0.0.0/0',
];

let table: InternTable | undefined;

/** The shared intern table (built on first use). */
export function internTable(): InternTable {
  if (!table) {
    const words = new Set<string>(COMMON);
    for (const [name, spec] of MATCH_SPECS) {
      words.add(name);
      for (const o of spec.options.keys()) words.add(o);
    }
    for (const [name, spec] of TARGET_SPECS) {
      words.add(name);
      for (const o of spec.options.keys()) words.add(o);
    }
    for (const w of [
      '--source',
      '--destination',
      '--in-interface',
      '--out-interface',
      '--protocol',
      '--match',
      '--jump',
      '--goto',
      '--append',
    ])
      words.add(w);
    table = new InternTable(words);
  }
  return table;
}
