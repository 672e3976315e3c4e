/**
 * @module pcap/signatures/key-table
 * An open-addressing hash table keyed by two exact integers (each below 2^53), for the
 * per-packet flow lookups: no string building, no boxing, no allocation per lookup. Linear
 * probing with tombstones; grows (or rebuilds) past 60 % load.
 */

const EMPTY = 0;
const FULL = 1;
const DEAD = 2;

function hash(a: number, b: number): number {
  let h = Math.imul((a >>> 0) ^ 0x9e3779b9, 0x85ebca6b);
  h ^= Math.imul(((a / 4294967296) | 0) ^ 0xc2b2ae35, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h ^= Math.imul((b >>> 0) ^ 0x165667b1, 0x85ebca6b);
  h ^= Math.imul((b / 4294967296) | 0, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13), 0x297a2d39);
  return (h ^ (h >>> 16)) >>> 0;
}

export class KeyTable<V> {
  private cap: number;
  private keys: Float64Array;
  private state: Uint8Array;
  private vals: (V | undefined)[];
  private used = 0; // FULL + DEAD slots
  size = 0;

  constructor(initial = 1024) {
    this.cap = initial;
    this.keys = new Float64Array(initial * 2);
    this.state = new Uint8Array(initial);
    this.vals = new Array<V | undefined>(initial).fill(undefined);
  }

  get(a: number, b: number): V | undefined {
    const mask = this.cap - 1;
    let i = hash(a, b) & mask;
    const st = this.state;
    const k = this.keys;
    for (;;) {
      const s = st[i]!;
      if (s === EMPTY) return undefined;
      if (s === FULL && k[2 * i] === a && k[2 * i + 1] === b) return this.vals[i];
      i = (i + 1) & mask;
    }
  }

  set(a: number, b: number, v: V): void {
    if ((this.used + 1) * 10 > this.cap * 6)
      this.rehash(this.size * 10 > this.cap * 3 ? this.cap * 2 : this.cap);
    const mask = this.cap - 1;
    let i = hash(a, b) & mask;
    let tomb = -1;
    const st = this.state;
    const k = this.keys;
    for (;;) {
      const s = st[i]!;
      if (s === EMPTY) break;
      if (s === DEAD) {
        if (tomb < 0) tomb = i;
      } else if (k[2 * i] === a && k[2 * i + 1] === b) {
        this.vals[i] = v;
        return;
      }
      i = (i + 1) & mask;
    }
    if (tomb >= 0) i = tomb;
    else this.used++;
    st[i] = FULL;
    k[2 * i] = a;
    k[2 * i + 1] = b;
    this.vals[i] = v;
    this.size++;
  }

  delete(a: number, b: number): boolean {
    const mask = this.cap - 1;
    let i = hash(a, b) & mask;
    const st = this.state;
    const k = this.keys;
    for (;;) {
      const s = st[i]!;
      if (s === EMPTY) return false;
      if (s === FULL && k[2 * i] === a && k[2 * i + 1] === b) {
        st[i] = DEAD;
        this.vals[i] = undefined;
        this.size--;
        return true;
      }
      i = (i + 1) & mask;
    }
  }

  /** Calls `each` for every value; a true result deletes it. */
  sweep(each: (v: V) => boolean): void {
    const st = this.state;
    for (let i = 0; i < this.cap; i++) {
      if (st[i] === FULL && each(this.vals[i]!)) {
        st[i] = DEAD;
        this.vals[i] = undefined;
        this.size--;
      }
    }
    if (this.cap > 1024 && this.size * 10 < this.cap) this.rehash(Math.max(1024, this.cap >>> 1));
  }

  forEach(each: (v: V) => void): void {
    for (let i = 0; i < this.cap; i++) if (this.state[i] === FULL) each(this.vals[i]!);
  }

  clear(): void {
    this.rehash(1024);
    this.state.fill(EMPTY);
    this.vals.fill(undefined);
    this.size = 0;
    this.used = 0;
  }

  private rehash(cap: number): void {
    const oldKeys = this.keys;
    const oldState = this.state;
    const oldVals = this.vals;
    const oldCap = this.cap;
    this.cap = cap;
    this.keys = new Float64Array(cap * 2);
    this.state = new Uint8Array(cap);
    this.vals = new Array<V | undefined>(cap).fill(undefined);
    this.used = 0;
    this.size = 0;
    for (let i = 0; i < oldCap; i++)
      if (oldState[i] === FULL) this.set(oldKeys[2 * i]!, oldKeys[2 * i + 1]!, oldVals[i]!);
  }
}
