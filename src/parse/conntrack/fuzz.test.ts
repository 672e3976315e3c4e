import { test } from 'node:test';
import { fuzzParser } from '../testing/fuzz.js';
import { readFixture } from './read-fixture.js';
import { parseConntrackList } from './parse-conntrack-list.js';
import { parseConntrackCount, parseConntrackStats } from './parse-conntrack-stats.js';

test('fuzz parseConntrackList', () =>
  fuzzParser(parseConntrackList, [readFixture('conntrack-L.txt'), readFixture('proc-nf_conntrack.txt')]));
test('fuzz parseConntrackStats', () =>
  fuzzParser(parseConntrackStats, [
    readFixture('conntrack-S.txt'),
    readFixture('proc-stat-nf_conntrack.txt'),
  ]));
test('fuzz parseConntrackCount', () => fuzzParser(parseConntrackCount, ['1234\n']));
