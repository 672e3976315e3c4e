/**
 * @module lab/build/agents
 * Paths of the plain-JavaScript agents the lab runs inside namespaces (lab/agents/).
 */
import { join } from 'node:path';
import { repoRoot } from '../scenario/load-scenario.js';

export function agentPath(name: 'responder' | 'probe'): string {
  return join(repoRoot(), 'lab', 'agents', `${name}.mjs`);
}
