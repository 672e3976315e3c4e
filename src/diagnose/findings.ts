/**
 * @module diagnose/findings
 * The findings of the check catalog that explain a trace's causes.
 */
import type { ClusterModel } from '../model/node.js';
import type { Finding } from '../checks/types.js';
import { runChecks } from '../checks/index.js';

export function checkFindings(cluster: ClusterModel, checkIds: string[]): Finding[] {
  const want = new Set(checkIds);
  return runChecks(cluster).findings.filter((f) => want.has(f.id));
}
