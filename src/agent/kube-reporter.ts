/**
 * @module agent/kube-reporter
 * Tells Kubernetes what the agent saw, through @kubernetes/client-node (kubeconfig use:
 * exec plugins, client certificates): a Warning Event on the Node for each watched sysctl
 * that changed (and for each remediation), and the Node condition `PodpathNetworkProblem`
 * (strategic-merge patch of status.conditions, merged by type, as node-problem-detector does).
 * In a pod the agent uses agent/light-reporter instead (same requests, no library).
 * Needs RBAC: events create, nodes/status patch.
 */
import { CoreV1Api, setHeaderOptions, PatchStrategy, type KubeConfig } from '@kubernetes/client-node';
import type { DriftEvent, ProblemState, Reporter } from './node-agent.js';
import type { Finding } from '../checks/types.js';
import {
  ConditionTracker,
  eventBody,
  remediatedText,
  sysctlChangedText,
  type EventText,
} from './report-bodies.js';

export { CONDITION_TYPE } from './report-bodies.js';

export class KubeReporter implements Reporter {
  private readonly core: CoreV1Api;
  private readonly conditions = new ConditionTracker();
  private readonly node: string;
  private readonly namespace: string;

  constructor(kc: KubeConfig, node: string, namespace = 'default') {
    this.core = kc.makeApiClient(CoreV1Api);
    this.node = node;
    this.namespace = namespace;
  }

  private async event(t: EventText): Promise<void> {
    await this.core.createNamespacedEvent({
      namespace: this.namespace,
      body: eventBody(this.node, this.namespace, t),
    });
  }

  sysctlChanged(e: DriftEvent, findings: Finding[]): Promise<void> {
    return this.event(sysctlChangedText(e, findings));
  }

  remediated(check: string, sysctl: string, old: string, value: string): Promise<void> {
    return this.event(remediatedText(check, sysctl, old, value));
  }

  async condition(s: ProblemState): Promise<void> {
    await this.core.patchNodeStatus(
      { name: this.node, body: this.conditions.body(s) },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
  }
}
