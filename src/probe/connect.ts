/**
 * @module probe/connect
 * One TCP connect with a timeout, closed as soon as it is established (no payload, safe
 * against production services), classified as the client application would see it.
 */
import { Socket } from 'node:net';

export type ConnectOutcome = 'connected' | 'refused' | 'timeout' | 'unreachable' | 'error';

export interface ConnectResult {
  outcome: ConnectOutcome;
  ms: number;
  errno?: string;
}

export function tcpConnect(ip: string, port: number, timeoutMs: number): Promise<ConnectResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const s = new Socket();
    let done = false;
    const finish = (outcome: ConnectOutcome, errno?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ outcome, ms: Date.now() - started, ...(errno ? { errno } : {}) });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    s.once('connect', () => finish('connected'));
    s.once('error', (e: NodeJS.ErrnoException) => {
      const code = e.code ?? 'EUNKNOWN';
      if (code === 'ECONNREFUSED') finish('refused', code);
      else if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') finish('unreachable', code);
      else if (code === 'ETIMEDOUT') finish('timeout', code);
      else finish('error', code);
    });
    s.connect({ host: ip, port });
  });
}
