/**
 * @module cli/commands/serve
 * `podpath serve DIR [--port N] [--listen HOST:PORT]`: the report's views for the snapshots
 * and captures in DIR, on http://127.0.0.1:7780 by default; binding anywhere else takes an
 * explicit --listen. Runs until interrupted (Ctrl-C), then exits 0.
 */
import { stat } from 'node:fs/promises';
import { parseFlags, UsageError, InputError } from '../args.js';
import { loadFolder } from '../../serve/load-folder.js';
import { makeServer, serveState } from '../../serve/server.js';

const HELP = `usage: podpath serve DIR [--port N] [--listen HOST:PORT]

Serves a page per node and per flow for the snapshots (*.json, *.tar.gz, snapshot directories)
and captures (*.pcap, *.pcapng) in DIR. Nothing in DIR is served as a file or executed.
  --port N            port on 127.0.0.1 (default 7780; 0 picks a free one)
  --listen HOST:PORT  bind to another address, e.g. 0.0.0.0:7780 (reachable by others: explicit on purpose)`;

export function parseListen(s: string): { host: string; port: number } {
  const m = s.match(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/);
  if (!m || Number(m[2]) > 65535)
    throw new UsageError(`--listen ${s}: expected HOST:PORT, e.g. 127.0.0.1:7780`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      port: { type: 'string' },
      listen: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError('serve needs one DIR (a folder of snapshots and captures)');
  if (values.port && values.listen) throw new UsageError('give --port or --listen, not both');
  const dir = positionals[0]!;
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new InputError(`${dir}: not a directory`);
  let host = '127.0.0.1';
  let port = 7780;
  if (values.listen) ({ host, port } = parseListen(values.listen));
  else if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d{1,5}$/.test(values.port) || port > 65535)
      throw new UsageError(`--port ${values.port}: expected 0-65535`);
  }
  const folder = await loadFolder(dir);
  if (folder.cluster.nodes.length === 0)
    throw new InputError(
      `${dir}: no node snapshot in it (${folder.skipped.map((s) => `${s.file}: ${s.reason}`).join('; ') || 'empty'})`,
    );
  const loopback = LOOPBACK.has(host);
  const state = await serveState(folder, loopback ? new Set(['127.0.0.1', 'localhost', '[::1]']) : undefined);
  const server = makeServer(state);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  const actual = typeof addr === 'object' && addr ? addr.port : port;
  const shown = host.includes(':') ? `[${host}]` : host;
  console.log(
    `podpath serve: ${folder.cluster.nodes.length} node(s), ${folder.captures.length} capture(s) from ${dir} on http://${shown}:${actual}/${loopback ? '' : '  (not loopback: reachable from the network)'}`,
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      server.close(() => resolve());
      server.closeAllConnections();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
