/**
 * @module snapshot/read-tar
 * A small reader of (gzip-compressed) tar archives, enough for snapshot directories packed
 * with `tar -czf`: POSIX ustar headers, GNU long names (`L`), pax `path`/`size` records (`x`).
 * Regular files are returned in memory; links, devices and FIFOs are skipped. Absolute paths
 * and `..` components are refused, so nothing can point outside the archive.
 */
import { gunzipSync } from 'node:zlib';
import { SnapshotError } from './snapshot-error.js';

const BLOCK = 512;
/** refuse archives that inflate beyond this (a snapshot is megabytes, not gigabytes) */
const MAX_INFLATED = 1024 * 1024 * 1024;

export function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

export function isTar(buf: Uint8Array): boolean {
  return buf.length >= BLOCK && Buffer.from(buf.subarray(257, 262)).toString('latin1') === 'ustar';
}

/** path -> content of every regular file; `file` names the archive in errors */
export function readTar(data: Buffer, file: string): Map<string, Buffer> {
  let tar = data;
  if (isGzip(data)) {
    try {
      tar = gunzipSync(data, { maxOutputLength: MAX_INFLATED });
    } catch (e) {
      throw new SnapshotError(file, `not a readable gzip archive: ${(e as Error).message}`);
    }
  }
  const files = new Map<string, Buffer>();
  let longName: string | undefined;
  let pax: Record<string, string> = {};
  for (let off = 0; off + BLOCK <= tar.length;) {
    const h = tar.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) break; // end-of-archive marker
    checkChecksum(h, file, off);
    const type = String.fromCharCode(h[156] ?? 0);
    const size = pax.size !== undefined ? Number(pax.size) : readSize(h, file, off);
    const start = off + BLOCK;
    if (!Number.isSafeInteger(size) || size < 0 || start + size > tar.length) {
      throw new SnapshotError(file, `truncated archive (entry at byte ${off} needs ${size} bytes)`);
    }
    const body = tar.subarray(start, start + size);
    off = start + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') {
      longName = cString(body);
      continue;
    }
    if (type === 'x') {
      pax = readPax(body);
      continue;
    }
    if (type === 'g' || type === 'K') continue;
    const name = pax.path ?? longName ?? headerName(h);
    longName = undefined;
    pax = {};
    const path = safePath(name, file);
    if ((type === '0' || type === '\0' || type === '7') && path !== '') files.set(path, Buffer.from(body));
  }
  return files;
}

function headerName(h: Buffer): string {
  const name = cString(h.subarray(0, 100));
  const magic = h.subarray(257, 263).toString('latin1');
  const prefix = magic.startsWith('ustar') ? cString(h.subarray(345, 500)) : '';
  return prefix ? `${prefix}/${name}` : name;
}

function cString(b: Buffer): string {
  const z = b.indexOf(0);
  return b.subarray(0, z < 0 ? b.length : z).toString('utf8');
}

function readSize(h: Buffer, file: string, off: number): number {
  if ((h[124]! & 0x80) !== 0) {
    // GNU base-256 for sizes beyond 8 GiB
    let n = 0;
    for (let i = 125; i < 136; i++) n = n * 256 + h[i]!;
    return n;
  }
  const s = cString(h.subarray(124, 136)).trim();
  if (!/^[0-7]*$/.test(s)) throw new SnapshotError(file, `not a tar archive (bad size field at byte ${off})`);
  return s === '' ? 0 : parseInt(s, 8);
}

function checkChecksum(h: Buffer, file: string, off: number): void {
  const want = parseInt(cString(h.subarray(148, 156)).trim(), 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  if (sum !== want) throw new SnapshotError(file, `not a tar archive (bad header checksum at byte ${off})`);
}

/** pax records: `<len> <key>=<value>\n` */
function readPax(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < body.length) {
    const sp = body.indexOf(0x20, i);
    if (sp < 0) break;
    const len = Number(body.subarray(i, sp).toString('latin1'));
    if (!Number.isInteger(len) || len <= 0) break;
    const rec = body.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

/** `./node1/sysctl.txt` -> `node1/sysctl.txt`; refuses `/etc/x` and `a/../../x` */
export function safePath(name: string, file: string): string {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (name.startsWith('/') || parts.includes('..') || name.includes('\\') || name.includes('\0')) {
    throw new SnapshotError(file, `refusing unsafe path ${JSON.stringify(name)} in archive`);
  }
  return parts.join('/');
}
