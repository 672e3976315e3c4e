#!/usr/bin/env node
// podpath lab responder: runs inside a pod network namespace and answers probes.
//   node responder.mjs --name ns/pod --ip 10.224.1.56 --listen tcp:8080,udp:53 --prefix pplab
// TCP: on accept, writes "PODPATH <ns/pod> <ip>:<port>\n"; a client line "SEND <n>" gets
// n bytes back, then the server closes. UDP: echoes "PODPATH <ns/pod> <ip>:<port> <payload>".
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

function udp(port) {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    sock.on('error', reject);
    sock.on('message', (msg, rinfo) => {
      const reply = Buffer.concat([Buffer.from(`PODPATH ${name} ${ip}:${port} `), msg]);
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
