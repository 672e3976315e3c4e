import { test } from 'node:test';
import { fuzzParser } from '../testing/fuzz.js';
import { readFixture } from './read-fixture.js';
import * as ip from './index.js';

const cases: [
  string,
  (t: string) => { value: unknown; diagnostics: import('../diagnostic.js').Diagnostic[] },
  string[],
][] = [
  ['parseIpLink', ip.parseIpLink, ['ip-link.json']],
  ['parseIpAddr', ip.parseIpAddr, ['ip-addr.json']],
  ['parseIpRoute', ip.parseIpRoute, ['ip-route.json', 'ip6-route.json']],
  ['parseIpRule', ip.parseIpRule, ['ip-rule.json']],
  ['parseIpNeigh', ip.parseIpNeigh, ['ip-neigh.json']],
  ['parseBridgeLink', ip.parseBridgeLink, ['bridge-link.json']],
  ['parseBridgeFdb', ip.parseBridgeFdb, ['bridge-fdb.json']],
  ['parseIpAddrText', ip.parseIpAddrText, ['ip-addr.txt']],
  ['parseIpRouteText', ip.parseIpRouteText, ['ip-route.txt']],
  ['parseIpNeighText', ip.parseIpNeighText, ['ip-neigh.txt']],
  ['parseBridgeFdbText', ip.parseBridgeFdbText, ['bridge-fdb.txt']],
  [
    'parseIpRuleText',
    ip.parseIpRuleText,
    ['0:\tfrom all lookup local\n110:\tnot from all fwmark 0x1bd00 lookup netbird\n'],
  ],
];

for (const [name, parse, samples] of cases) {
  test(`fuzz ${name}: never throws, diagnostics inside the document`, () => {
    fuzzParser(
      parse,
      samples.map((s) => (s.includes('\n') ? s : readFixture(s))),
    );
  });
}
