#!/usr/bin/env node
/**
 * @module cli/main
 * Entry point of `podpath` (and `kubectl podpath`): dispatches to one module per command.
 * Exit codes: 0 ok, 1 findings at or above --fail-on, 2 bad usage or unreadable input.
 */
import { UsageError, InputError } from './args.js';

type CommandModule = { run(argv: string[]): Promise<number> };

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  demo: {
    summary: 'the bundled incident, diagnosed (no root, no cluster)',
    load: () => import('./commands/demo.js'),
  },
  trace: {
    summary: 'walk a flow through the node model, request and reply',
    load: () => import('./commands/trace.js'),
  },
  check: {
    summary: 'look for known misconfigurations in snapshots',
    load: () => import('./commands/check.js'),
  },
  collect: {
    summary: 'snapshot the current network namespace (read-only)',
    load: () => import('./commands/collect.js'),
  },
  lab: {
    summary: 'build real-kernel labs in network namespaces (root)',
    load: () => import('./commands/lab.js'),
  },
  pcap: { summary: 'find failure signatures in a capture', load: () => import('./commands/pcap.js') },
  report: {
    summary: 'one self-contained HTML page: findings, matrix, path diagrams',
    load: () => import('./commands/report.js'),
  },
  serve: {
    summary: 'local web view of a folder of snapshots (127.0.0.1)',
    load: () => import('./commands/serve.js'),
  },
  doctor: {
    summary: 'this node: checks + every local pod to every Service',
    load: () => import('./commands/doctor.js'),
  },
  probe: {
    summary: 'DNS, ClusterIP and pod IP connects from this pod',
    load: () => import('./commands/probe.js'),
  },
  agent: {
    summary: 'watch this node: metrics, drift events (DaemonSet)',
    load: () => import('./commands/agent.js'),
  },
};

function usage(): string {
  const lines = ['usage: podpath <command> [options]', '', 'commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(9)} ${c.summary}`);
  lines.push('', 'Run `podpath <command> --help` for the options of one command.');
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    console.log('podpath 0.1.0');
    return 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    console.error(`podpath: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  let mod: CommandModule;
  try {
    mod = await cmd.load();
  } catch (e) {
    console.error(`podpath: command '${name}' is not available in this build: ${(e as Error).message}`);
    return 2;
  }
  return mod.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      console.error(`podpath: ${e.message}\nRun \`podpath --help\` for usage.`);
      process.exitCode = 2;
    } else if (e instanceof InputError) {
      console.error(`podpath: ${e.message}`);
      process.exitCode = 2;
    } else {
      console.error(`podpath: internal error: ${(e as Error)?.stack ?? String(e)}`);
      process.exitCode = 3;
    }
  },
);
