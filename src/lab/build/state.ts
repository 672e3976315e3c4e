/**
 * @module lab/build/state
 * The lab's state directory, /run/podpath-lab/<prefix>/: `state.json` (what was built,
 * responder pids, notes) and `pods.json` (pod identity of each pod namespace, which
 * `podpath collect` reads to name the pods it finds without entering them).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../scenario/types.js';
import { STATE_ROOT } from './names.js';

export interface ResponderState {
  pod: string;
  netns: string;
  pid: number;
}

export interface LabState {
  prefix: string;
  phase: 'building' | 'up';
  createdAt: string;
  scenario: Scenario;
  namespaces: string[];
  responders: ResponderState[];
  /** knobs the kernel refused, and other things worth knowing about this lab */
  notes: string[];
}

export interface PodMarker {
  namespace: string;
  name: string;
  node: string;
  ip: string;
}

export function stateDir(prefix: string, root = STATE_ROOT): string {
  return join(root, prefix);
}

function writeAtomic(file: string, data: unknown): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n');
  renameSync(tmp, file);
}

export function writeState(state: LabState, root = STATE_ROOT): void {
  const dir = stateDir(state.prefix, root);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  writeAtomic(join(dir, 'state.json'), state);
}

export function writePodMarkers(prefix: string, markers: Record<string, PodMarker>, root = STATE_ROOT): void {
  const dir = stateDir(prefix, root);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  writeAtomic(join(dir, 'pods.json'), markers);
}

export function readState(prefix: string, root = STATE_ROOT): LabState | undefined {
  const file = join(stateDir(prefix, root), 'state.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

export function removeState(prefix: string, root = STATE_ROOT): void {
  rmSync(stateDir(prefix, root), { recursive: true, force: true });
}
