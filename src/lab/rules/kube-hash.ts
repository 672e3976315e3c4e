/**
 * @module lab/rules/kube-hash
 * kube-proxy's chain names (kubernetes pkg/proxy/iptables/proxier.go): `portProtoHash`
 * = base32(sha256(servicePortName + protocol))[:16], with `servicePortName` as
 * `ServicePortName.String()` prints it (`ns/name:port`, or `ns/name` for an unnamed port)
 * and the protocol lower-cased; endpoint chains hash servicePortName + protocol + "ip:port".
 */
import { createHash } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (Go's base32.StdEncoding, padding irrelevant for the first 16 chars). */
export function base32(buf: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of buf) {
    value = ((value << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

function hash16(s: string): string {
  return base32(createHash('sha256').update(s).digest()).slice(0, 16);
}

/** `ServicePortName.String()`: `ns/name:port`, or `ns/name` when the port is unnamed. */
export function servicePortName(namespace: string, name: string, port: string): string {
  return port ? `${namespace}/${name}:${port}` : `${namespace}/${name}`;
}

/** proxier.go `portProtoHash` */
export function portProtoHash(spn: string, protocol: string): string {
  return hash16(spn + protocol.toLowerCase());
}

/** proxier.go `servicePortChainName`: KUBE-SVC-<hash> */
export function serviceChainName(spn: string, protocol: string): string {
  return `KUBE-SVC-${portProtoHash(spn, protocol)}`;
}

/** proxier.go `serviceExternalChainName`: KUBE-EXT-<hash> */
export function externalChainName(spn: string, protocol: string): string {
  return `KUBE-EXT-${portProtoHash(spn, protocol)}`;
}

/** proxier.go `servicePortEndpointChainName`: KUBE-SEP-<hash of spn + protocol + "ip:port"> */
export function endpointChainName(spn: string, protocol: string, endpoint: string): string {
  return `KUBE-SEP-${hash16(spn + protocol.toLowerCase() + endpoint)}`;
}
