import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base32, endpointChainName, serviceChainName, servicePortName } from './kube-hash.js';

test('base32 matches RFC 4648 test vectors', () => {
  assert.equal(base32(Buffer.from('foobar')), 'MZXW6YTBOI');
  assert.equal(base32(Buffer.from('f')), 'MY');
});

test('KUBE-SVC hashes equal the chains seen on every real cluster', () => {
  assert.equal(
    serviceChainName(servicePortName('default', 'kubernetes', 'https'), 'tcp'),
    'KUBE-SVC-NPX46M4PTMTKRN6Y',
  );
  assert.equal(
    serviceChainName(servicePortName('kube-system', 'kube-dns', 'dns'), 'udp'),
    'KUBE-SVC-TCOU7JCQXEZGVUNU',
  );
  assert.equal(
    serviceChainName(servicePortName('kube-system', 'kube-dns', 'dns-tcp'), 'TCP'),
    'KUBE-SVC-ERIFXISQEP7F7OF4',
  );
  assert.equal(
    serviceChainName(servicePortName('kube-system', 'kube-dns', 'metrics'), 'tcp'),
    'KUBE-SVC-JD5MR3NA4I4DYORP',
  );
});

test('KUBE-SEP hashes equal the upstream golden test (TestOverallIPTablesRules)', () => {
  const spn = servicePortName('ns4', 'svc4', 'p80');
  assert.equal(serviceChainName(spn, 'tcp'), 'KUBE-SVC-4SW47YFZTEDKD3PK');
  assert.equal(endpointChainName(spn, 'tcp', '10.180.0.4:80'), 'KUBE-SEP-UKSFD7AGPMPPLUHC');
  assert.equal(endpointChainName(spn, 'tcp', '10.180.0.5:80'), 'KUBE-SEP-C6EBXVWJJZMIWKLZ');
});

test('an unnamed port hashes ns/name without a colon', () => {
  assert.equal(servicePortName('ns', 'svc', ''), 'ns/svc');
  assert.notEqual(serviceChainName('ns/svc', 'tcp'), serviceChainName('ns/svc:', 'tcp'));
});
