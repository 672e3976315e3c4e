#!/usr/bin/env node
// podpath lab responder: runs inside a pod network namespace and answers probes.
//   node responder.mjs --name ns/pod --ip 10.224.1.56 --listen tcp:8080,udp:53 --prefix pplab
// TCP: on accept, writes "PODPATH <ns/pod> <ip>:<port>\n"; a client line "SEND <n>" gets
// n bytes back, then the server closes. UDP: echoes "PODPATH <ns/pod> <ip>:<port> <payload>",
// except that a datagram shaped like a DNS query (RFC 1035 header, one question) is answered
// as a CoreDNS pod would: A gets the responder's own address (TTL 5), other types no data.
// Prints READY once every listener is bound. Plain JavaScript on purpose: no build needed.
import net from 'node:net';
import dgram from 'node:dgram';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const name = opt('name', 'unknown');
const ip = opt('ip', '0.0.0.0');
const listeners = opt('listen', '')
  .split(',')
  .filter(Boolean)
  .map((s) => {
    const [proto, port] = s.split(':');
    return { proto, port: Number(port) };
  });

function tcp(port) {
  return new Promise((resolve, reject) => {
    const server = net.createServer((sock) => {
      sock.on('error', () => {});
      sock.setTimeout(30000, () => sock.destroy());
      sock.write(`PODPATH ${name} ${ip}:${port}\n`);
      let buf = '';
      sock.on('data', (d) => {
        buf += d.toString('latin1');
        const m = /^SEND (\d+)\n/.exec(buf);
        if (m) {
          buf = '';
          const n = Math.min(Number(m[1]), 64 * 1024 * 1024);
          sock.end(Buffer.alloc(n, 0x78));
        }
      });
      sock.on('end', () => sock.end());
    });
    server.on('error', reject);
    server.listen({ port, host: '0.0.0.0', backlog: 511 }, () => resolve(server));
  });
}

/** A DNS answer to a one-question query, or undefined when `msg` is not such a query. */
function dnsAnswer(msg) {
  if (msg.length < 17 || msg[2] & 0x80 || msg.readUInt16BE(4) !== 1) return undefined;
  let i = 12;
  while (i < msg.length && msg[i] !== 0) {
    if (msg[i] > 63) return undefined;
    i += 1 + msg[i];
  }
  if (i + 5 > msg.length) return undefined;
  const question = msg.subarray(12, i + 5);
  const qtype = msg.readUInt16BE(i + 1);
  const header = Buffer.alloc(12);
  msg.copy(header, 0, 0, 2);
  header.writeUInt16BE(0x8080 | ((msg[2] & 0x01) << 8), 2); // response, RD copied, RA
  header.writeUInt16BE(1, 4);
  const a = qtype === 1 && /^\d+\.\d+\.\d+\.\d+$/.test(ip);
  header.writeUInt16BE(a ? 1 : 0, 6);
  if (!a) return Buffer.concat([header, question]);
  const rr = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, ...ip.split('.').map(Number)]);
  return Buffer.concat([header, question, rr]);
}

function udp(port) {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    sock.on('error', reject);
    sock.on('message', (msg, rinfo) => {
      const reply = dnsAnswer(msg) ?? Buffer.concat([Buffer.from(`PODPATH ${name} ${ip}:${port} `), msg]);
      sock.send(reply, rinfo.port, rinfo.address, () => {});
    });
    sock.bind(port, '0.0.0.0', () => resolve(sock));
  });
}

try {
  await Promise.all(listeners.map((l) => (l.proto === 'udp' ? udp(l.port) : tcp(l.port))));
  process.stdout.write(`READY ${name} ${process.pid}\n`);
} catch (e) {
  process.stdout.write(`FAILED ${name}: ${e.message}\n`);
  process.exit(1);
}
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
