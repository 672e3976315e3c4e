import { test } from 'node:test';
import { fuzzParser } from '../testing/fuzz.js';
import { readFixture } from './read-fixture.js';
import { parseModules } from './parse-modules.js';
import { parseUname } from './parse-uname.js';
import { parseResolvConf } from './parse-resolv-conf.js';

test('fuzz parseModules', () =>
  fuzzParser(parseModules, [readFixture('modules.txt'), readFixture('lsmod.txt')]));
test('fuzz parseUname', () =>
  fuzzParser(parseUname, [readFixture('uname-a.txt'), readFixture('uname-r.txt')]));
test('fuzz parseResolvConf', () => fuzzParser(parseResolvConf, [readFixture('resolv-conf.txt')]));
