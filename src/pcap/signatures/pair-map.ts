/**
 * @module pcap/signatures/pair-map
 * Flow tables keyed by interface and endpoints. IPv4 endpoints are packed into numbers
 * (address * 65536 + port, the interface folded in above bit 48) and kept in a
 * {@link KeyTable}, so a per-packet lookup builds no string; IPv6, names from text input
 * and captures with more than 32 interfaces fall back to string keys.
 * {@link PairMap} is the same in both directions (a connection); {@link EndpointMap} is
 * keyed by one endpoint and a number (a client port, a DNS id).
 */
import type { Packet } from '../types.js';
import { KeyTable } from './key-table.js';

/** What a stored flow remembers of its key, so it can be removed. */
export interface Keyed {
  k1: number;
  k2: number;
  ks: string;
}

const IFACE_SHIFT = 2 ** 48;
const MAX_DENSE = 32;

/** Interface numbers to 0..31 in order of appearance (-1 past that). */
export class DenseIfaces {
  private readonly ids = new Map<number, number>();
  private last = -1;
  private lastId = 0;

  of(iface: number): number {
    if (iface === this.last) return this.lastId;
    let d = this.ids.get(iface);
    if (d === undefined) {
      d = this.ids.size < MAX_DENSE ? this.ids.size : -1;
      this.ids.set(iface, d);
    }
    this.last = iface;
    this.lastId = d;
    return d;
  }
}

export class PairMap<V extends Keyed> {
  private readonly num = new KeyTable<V>();
  private readonly str = new Map<string, V>();
  private readonly dense = new DenseIfaces();
  /** key of the last find(), for insert() */
  private k1 = 0;
  private k2 = 0;
  private ks = '';
  /** in the last find(), the packet's source is the lower endpoint */
  forward = true;

  get size(): number {
    return this.num.size + this.str.size;
  }

  find(p: Packet): V | undefined {
    const d = this.dense.of(p.iface);
    if (p.src4 >= 0 && p.dst4 >= 0 && d >= 0) {
      const a = p.src4 * 65536 + (p.sport & 0xffff);
      const b = p.dst4 * 65536 + (p.dport & 0xffff);
      this.forward = a <= b;
      this.k1 = d * IFACE_SHIFT + (this.forward ? a : b);
      this.k2 = this.forward ? b : a;
      this.ks = '';
      return this.num.get(this.k1, this.k2);
    }
    this.forward = p.src < p.dst || (p.src === p.dst && p.sport <= p.dport);
    this.ks = this.forward
      ? `${p.iface}|${p.proto}|${p.src}|${p.sport}|${p.dst}|${p.dport}`
      : `${p.iface}|${p.proto}|${p.dst}|${p.dport}|${p.src}|${p.sport}`;
    return this.str.get(this.ks);
  }

  /** Stores v under the key of the last find(), and stamps the key on v. */
  insert(v: V): void {
    v.k1 = this.k1;
    v.k2 = this.k2;
    v.ks = this.ks;
    if (this.ks) this.str.set(this.ks, v);
    else this.num.set(this.k1, this.k2, v);
  }

  remove(v: V): void {
    if (v.ks) {
      if (this.str.get(v.ks) === v) this.str.delete(v.ks);
    } else if (this.num.get(v.k1, v.k2) === v) this.num.delete(v.k1, v.k2);
  }

  forEach(each: (v: V) => void): void {
    this.num.forEach(each);
    this.str.forEach(each);
  }

  /** Removes every value for which `drop` says so. */
  sweep(drop: (v: V) => boolean): void {
    this.num.sweep(drop);
    this.str.forEach((v, k) => {
      if (drop(v)) this.str.delete(k);
    });
  }

  clear(): void {
    this.num.clear();
    this.str.clear();
  }
}

/** A remote endpoint as the extra key of an {@link EndpointMap}: a number for IPv4. */
export function endpointTag(ip: string, ip4: number, port: number): number | string {
  return ip4 >= 0 ? ip4 * 65536 + (port & 0xffff) : `${ip}|${port}`;
}

/** Keyed by (interface, address, port, extra): a socket, or a socket and a DNS id or a peer. */
export class EndpointMap<V> {
  private readonly num = new KeyTable<V>();
  private readonly str = new Map<string, V>();
  private readonly dense = new DenseIfaces();

  get size(): number {
    return this.num.size + this.str.size;
  }

  /** the numeric first key part, or -1 when the string form must be used */
  private key(iface: number, ip4: number, port: number, n: number | string): number {
    if (ip4 < 0 || typeof n !== 'number') return -1;
    const d = this.dense.of(iface);
    return d >= 0 ? d * IFACE_SHIFT + ip4 * 65536 + (port & 0xffff) : -1;
  }

  /** `n` is a number below 2^53 (a DNS id, a packed endpoint) or, for non-IPv4, any string. */
  get(iface: number, ip: string, ip4: number, port: number, n: number | string = 0): V | undefined {
    const a = this.key(iface, ip4, port, n);
    if (a >= 0) return this.num.get(a, n as number);
    return this.str.get(`${iface}|${ip}|${port}|${n}`);
  }

  set(iface: number, ip: string, ip4: number, port: number, n: number | string, v: V): void {
    const a = this.key(iface, ip4, port, n);
    if (a >= 0) this.num.set(a, n as number, v);
    else this.str.set(`${iface}|${ip}|${port}|${n}`, v);
  }

  delete(iface: number, ip: string, ip4: number, port: number, n: number | string = 0): boolean {
    const a = this.key(iface, ip4, port, n);
    if (a >= 0) return this.num.delete(a, n as number);
    return this.str.delete(`${iface}|${ip}|${port}|${n}`);
  }

  sweep(drop: (v: V) => boolean): void {
    this.num.sweep(drop);
    this.str.forEach((v, k) => {
      if (drop(v)) this.str.delete(k);
    });
  }

  forEach(each: (v: V) => void): void {
    this.num.forEach(each);
    this.str.forEach(each);
  }

  clear(): void {
    this.num.clear();
    this.str.clear();
  }
}
