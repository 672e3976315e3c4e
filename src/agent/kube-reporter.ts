/**
 * @module agent/kube-reporter
 * Tells Kubernetes what the agent saw: a Warning Event on the Node for each watched sysctl
 * that changed (and for each remediation), and the Node condition `PodpathNetworkProblem`
 * (strategic-merge patch of status.conditions, merged by type, as node-problem-detector does).
 * Needs RBAC: events create, nodes/status patch.
 */
import { hostname } from 'node:os';
import {
  CoreV1Api,
  setHeaderOptions,
  PatchStrategy,
  type KubeConfig,
  type CoreV1Event,
} from '@kubernetes/client-node';
import type { DriftEvent, ProblemState, Reporter } from './node-agent.js';
import type { Finding } from '../checks/types.js';

export const CONDITION_TYPE = 'PodpathNetworkProblem';
const COMPONENT = 'podpath-agent';

export class KubeReporter implements Reporter {
  private readonly core: CoreV1Api;
  private readonly node: string;
  private readonly namespace: string;
  private lastTransition = new Date();
  private lastStatus: string | undefined;

  constructor(kc: KubeConfig, node: string, namespace = 'default') {
    this.core = kc.makeApiClient(CoreV1Api);
    this.node = node;
    this.namespace = namespace;
  }

  private event(reason: string, message: string, type: 'Warning' | 'Normal'): Promise<CoreV1Event> {
    const now = new Date();
    const body: CoreV1Event = {
      metadata: { generateName: `${this.node}.podpath-`, namespace: this.namespace },
      involvedObject: { kind: 'Node', name: this.node, apiVersion: 'v1' },
      reason,
      message,
      type,
      source: { component: COMPONENT, host: this.node },
      reportingComponent: COMPONENT,
      reportingInstance: `${COMPONENT}-${hostname()}`,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    return this.core.createNamespacedEvent({ namespace: this.namespace, body });
  }

  async sysctlChanged(e: DriftEvent, findings: Finding[]): Promise<void> {
    const why = findings.filter((f) => f.evidence.some((x) => x.text.includes(e.name))).map((f) => f.id);
    await this.event(
      'SysctlChanged',
      `sysctl ${e.name} changed: ${e.old ?? '(absent)'} -> ${e.new ?? '(absent)'}${why.length ? ` (now failing: ${why.join(', ')})` : ''}`,
      'Warning',
    );
  }

  async remediated(check: string, sysctl: string, old: string, value: string): Promise<void> {
    await this.event(
      'SysctlRestored',
      `podpath --remediate ${check}: set ${sysctl} ${old} -> ${value}`,
      'Normal',
    );
  }

  async condition(s: ProblemState): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const status = s.problem ? 'True' : 'False';
    if (status !== this.lastStatus) this.lastTransition = new Date();
    this.lastStatus = status;
    const body = {
      status: {
        conditions: [
          {
            type: CONDITION_TYPE,
            status,
            reason: s.reason,
            message: s.message,
            lastHeartbeatTime: now,
            lastTransitionTime: this.lastTransition.toISOString().replace(/\.\d+Z$/, 'Z'),
          },
        ],
      },
    };
    await this.core.patchNodeStatus(
      { name: this.node, body },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
  }
}
