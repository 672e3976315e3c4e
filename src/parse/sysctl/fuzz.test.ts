import { test } from 'node:test';
import { fuzzParser } from '../testing/fuzz.js';
import { readFixture } from './read-fixture.js';
import { parseSysctl } from './parse-sysctl.js';
import { parseSysctlConf } from './parse-sysctl-conf.js';
import { parseSysctlPersistent } from './parse-sysctl-persistent.js';
import { parseModulesLoad } from './parse-modules-load.js';
import { parseCniConf } from './parse-cni-conf.js';

test('fuzz parseSysctl', () => fuzzParser(parseSysctl, [readFixture('sysctl-a.txt').slice(0, 3000)]));
test('fuzz parseSysctlConf', () => fuzzParser(parseSysctlConf, [readFixture('sysctl-persistent.txt')]));
test('fuzz parseSysctlPersistent', () =>
  fuzzParser(parseSysctlPersistent, [readFixture('sysctl-persistent.txt')]));
test('fuzz parseModulesLoad', () => fuzzParser(parseModulesLoad, [readFixture('modules-load.txt')]));
test('fuzz parseCniConf', () => fuzzParser(parseCniConf, [readFixture('cni-conf.txt')]));
