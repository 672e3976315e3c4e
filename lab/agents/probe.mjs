#!/usr/bin/env node
// podpath lab probe: real connect()s from the namespace it runs in, classified as the
// client application sees them. Prints one JSON document on stdout.
//   node probe.mjs --proto tcp --host 10.233.53.172 --port 8080 --timeout 1500 --attempts 12 [--reply-bytes N]
// TCP: connected = handshake completed (and, with --reply-bytes, all bytes received);
//      refused = ECONNREFUSED (RST, or ICMP port unreachable); unreachable = EHOSTUNREACH /
//      ENETUNREACH (ICMP host/net unreachable, or no route); timeout = nothing in time.
// UDP: a connected socket sends one datagram and awaits the echo; ICMP port unreachable
//      surfaces as ECONNREFUSED on the connected socket.
// Attempts run concurrently, each from its own ephemeral source port (reported, so the
// caller can find the attempt's conntrack entry and the endpoint the DNAT chose).
import net from 'node:net';
import dgram from 'node:dgram';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const proto = opt('proto', 'tcp');
const host = opt('host', '127.0.0.1');
const port = Number(opt('port', '80'));
const timeout = Number(opt('timeout', '1500'));
const attempts = Number(opt('attempts', '1'));
const replyBytes = Number(opt('reply-bytes', '0'));

const ERRNO = { ECONNREFUSED: 'refused', EHOSTUNREACH: 'unreachable', ENETUNREACH: 'unreachable', ETIMEDOUT: 'timeout' };

function parseHello(line) {
  const m = /^PODPATH (\S+) (\S+)/.exec(line);
  return m ? { pod: m[1], endpoint: m[2] } : {};
}

function tcpAttempt() {
  return new Promise((resolve) => {
    const started = Date.now();
    let localPort;
    let handshake = false;
    let buf = Buffer.alloc(0);
    let hello;
    let received = 0;
    let done = false;
    const sock = net.connect({ host, port });
    const finish = (outcome, extra = {}) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ outcome, localPort, handshake, ...(hello ?? {}), ms: Date.now() - started, ...extra });
    };
    const timer = setTimeout(() => {
      if (handshake && replyBytes === 0) return finish('connected', { helloMissing: hello === undefined });
      finish('timeout', handshake ? { stalledAfterHandshake: true, received } : {});
    }, timeout);
    sock.on('lookup', () => {});
    setImmediate(() => {
      try {
        localPort = sock.localPort ?? sock._getsockname?.().port;
      } catch {}
    });
    sock.on('connect', () => {
      handshake = true;
      localPort = sock.localPort;
    });
    sock.on('data', (d) => {
      if (hello === undefined) {
        buf = Buffer.concat([buf, d]);
        const nl = buf.indexOf(10);
        if (nl < 0) return;
        hello = parseHello(buf.subarray(0, nl).toString('latin1'));
        const rest = buf.length - nl - 1;
        if (replyBytes === 0) return finish('connected');
        received = rest;
        sock.write(`SEND ${replyBytes}\n`);
      } else {
        received += d.length;
      }
      if (replyBytes > 0 && received >= replyBytes) finish('connected', { received });
    });
    sock.on('error', (e) => finish(ERRNO[e.code] ?? 'error', { errno: e.code }));
    sock.on('close', () => {
      if (!done && handshake) finish(replyBytes > 0 && received < replyBytes ? 'timeout' : 'connected', { closedEarly: true, received });
    });
  });
}

function udpAttempt(i) {
  return new Promise((resolve) => {
    const started = Date.now();
    const sock = dgram.createSocket('udp4');
    let localPort;
    let done = false;
    const finish = (outcome, extra = {}) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        sock.close();
      } catch {}
      resolve({ outcome, localPort, ms: Date.now() - started, ...extra });
    };
    const timer = setTimeout(() => finish('timeout'), timeout);
    sock.on('error', (e) => finish(ERRNO[e.code] ?? 'error', { errno: e.code }));
    sock.on('message', (msg) => finish('connected', parseHello(msg.toString('latin1'))));
    sock.connect(port, host, (err) => {
      if (err) return finish(ERRNO[err.code] ?? 'error', { errno: err.code });
      localPort = sock.address().port;
      sock.send(Buffer.from(`probe ${i}`), (e) => {
        if (e) finish(ERRNO[e.code] ?? 'error', { errno: e.code });
      });
    });
  });
}

const runs = [];
for (let i = 0; i < attempts; i++) runs.push(proto === 'udp' ? udpAttempt(i) : tcpAttempt());
const results = await Promise.all(runs);
process.stdout.write(JSON.stringify({ proto, host, port, timeout, attempts: results }) + '\n');
