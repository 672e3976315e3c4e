/**
 * @module pcap/testing/conversations
 * Whole TCP conversations for tests, appended to a {@link Scenario}.
 */
import type { Scenario } from './scenario.js';

/** A complete, healthy exchange: handshake, request, bulk response with ACKs, FIN both ways. */
export function healthyTcp(s: Scenario, c: string, cp: number, srv: string, sp: number, t0 = 0): Scenario {
  let cs = 1000;
  let ss = 5000;
  s.at(t0).tcp(c, cp, srv, sp, 'S', { seq: cs, mss: 1460, wscale: 7, win: 64240 });
  s.at(t0 + 0.0002).tcp(srv, sp, c, cp, 'S.', { seq: ss, ack: cs + 1, mss: 1460, wscale: 7, win: 65160 });
  cs++;
  ss++;
  s.at(t0 + 0.0003).tcp(c, cp, srv, sp, '.', { seq: cs, ack: ss, win: 502 });
  s.at(t0 + 0.0004).tcp(c, cp, srv, sp, 'P.', { seq: cs, ack: ss, win: 502, payload: 120 });
  cs += 120;
  for (let i = 0; i < 20; i++) {
    const len = i === 19 ? 200 : 1448;
    s.at(t0 + 0.001 + i * 0.0001).tcp(srv, sp, c, cp, '.', { seq: ss, ack: cs, win: 509, payload: len });
    ss += len;
    if (i % 2 === 1) s.tcp(c, cp, srv, sp, '.', { seq: cs, ack: ss, win: 502 });
  }
  s.at(t0 + 0.01).tcp(c, cp, srv, sp, 'F.', { seq: cs, ack: ss, win: 502 });
  s.at(t0 + 0.0102).tcp(srv, sp, c, cp, 'F.', { seq: ss, ack: cs + 1, win: 509 });
  s.at(t0 + 0.0103).tcp(c, cp, srv, sp, '.', { seq: cs + 1, ack: ss + 1, win: 502 });
  return s;
}
