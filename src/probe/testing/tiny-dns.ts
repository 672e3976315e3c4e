/**
 * @module probe/testing/tiny-dns
 * A minimal DNS server on UDP loopback for tests: answers A queries from a map, NXDOMAIN
 * otherwise, or stays silent for names in `silent` (to see a timeout).
 */
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';

function readName(msg: Buffer, at: number): { name: string; end: number } {
  const labels: string[] = [];
  let i = at;
  while (i < msg.length && msg[i]! > 0) {
    labels.push(msg.subarray(i + 1, i + 1 + msg[i]!).toString('ascii'));
    i += msg[i]! + 1;
  }
  return { name: labels.join('.').toLowerCase(), end: i + 1 };
}

export async function startTinyDns(
  records: Record<string, string>,
  silent: string[] = [],
): Promise<{ server: string; close(): void }> {
  const sock: Socket = createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    if (msg.length < 12) return;
    const q = readName(msg, 12);
    if (silent.includes(q.name)) return;
    const question = msg.subarray(12, q.end + 4);
    const ip = records[q.name];
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2); // id
    header.writeUInt16BE(0x8180 | (ip ? 0 : 3), 2); // response, RD, RA, rcode
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(ip ? 1 : 0, 6);
    const parts = [header, question];
    if (ip) {
      const ans = Buffer.alloc(16);
      ans.writeUInt16BE(0xc00c, 0); // pointer to the question name
      ans.writeUInt16BE(1, 2); // A
      ans.writeUInt16BE(1, 4); // IN
      ans.writeUInt32BE(30, 6);
      ans.writeUInt16BE(4, 10);
      ip.split('.').forEach((o, k) => ans.writeUInt8(Number(o), 12 + k));
      parts.push(ans);
    }
    sock.send(Buffer.concat(parts), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  return { server: `127.0.0.1:${(sock.address() as AddressInfo).port}`, close: () => sock.close() };
}
