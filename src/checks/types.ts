/**
 * @module checks/types
 * A check is `{ id, severity, title, run(model) => Finding[] }` (STYLE.md, after batfish questions).
 */
import type { NodeModel, ClusterModel } from '../model/node.js';

export type Severity = 'critical' | 'warning' | 'info';

export interface Evidence {
  /** where: `sysctl`, `iptables-save:412`, `bridge-link`, a file path */
  source: string;
  line?: number;
  /** what was seen, e.g. `net.bridge.bridge-nf-call-iptables = 0` */
  text: string;
}

export interface FixStep {
  kind: 'runtime' | 'persistent' | 'alternative';
  description: string;
  commands: string[];
}

export interface Finding {
  id: string;
  severity: Severity;
  node: string;
  title: string;
  /** what the user sees */
  symptom?: string;
  evidence: Evidence[];
  fix: FixStep[];
  references: string[];
  /** kernel / Kubernetes versions where the behaviour changes (optional, added by the catalog) */
  versions?: string[];
}

export interface Check {
  id: string;
  severity: Severity;
  title: string;
  /** failure-modes.md id(s), e.g. ['FM-01'] */
  fm: string[];
  run(node: NodeModel, cluster: ClusterModel): Finding[];
  /**
   * Optional: what this check needs that the node's snapshot lacks (e.g. `sysctl source not
   * collected`), or undefined when it can run. `runChecks` lists such checks as skipped.
   */
  missing?(node: NodeModel): string | undefined;
}
