/**
 * @module agent/light-reporter
 * The in-cluster Reporter on cluster/light-api: the same Event and strategic-merge patch of
 * the Node condition as agent/kube-reporter, without loading @kubernetes/client-node.
 */
import type { DriftEvent, ProblemState, Reporter } from './node-agent.js';
import type { Finding } from '../checks/types.js';
import type { LightApi } from '../cluster/light-api.js';
import {
  ConditionTracker,
  eventBody,
  remediatedText,
  sysctlChangedText,
  type EventText,
} from './report-bodies.js';

export class LightReporter implements Reporter {
  private readonly conditions = new ConditionTracker();
  private readonly api: LightApi;
  private readonly node: string;
  private readonly namespace: string;

  constructor(api: LightApi, node: string, namespace = 'default') {
    this.api = api;
    this.node = node;
    this.namespace = namespace;
  }

  private async event(t: EventText): Promise<void> {
    const body = eventBody(this.node, this.namespace, t);
    await this.api.json('POST', `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/events`, {
      ...body,
      firstTimestamp: body.firstTimestamp.toISOString(),
      lastTimestamp: body.lastTimestamp.toISOString(),
    });
  }

  sysctlChanged(e: DriftEvent, findings: Finding[]): Promise<void> {
    return this.event(sysctlChangedText(e, findings));
  }

  remediated(check: string, sysctl: string, old: string, value: string): Promise<void> {
    return this.event(remediatedText(check, sysctl, old, value));
  }

  async condition(s: ProblemState): Promise<void> {
    await this.api.json(
      'PATCH',
      `/api/v1/nodes/${encodeURIComponent(this.node)}/status`,
      this.conditions.body(s),
      'application/strategic-merge-patch+json',
    );
  }
}
