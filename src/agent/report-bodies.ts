/**
 * @module agent/report-bodies
 * What the agent sends to Kubernetes, shared by both reporters (client library and light
 * client): the Event on the Node and the `PodpathNetworkProblem` condition patch body, plus
 * the messages for a sysctl change and a remediation.
 */
import { hostname } from 'node:os';
import type { DriftEvent, ProblemState } from './node-agent.js';
import type { Finding } from '../checks/types.js';

export const CONDITION_TYPE = 'PodpathNetworkProblem';
export const COMPONENT = 'podpath-agent';

export interface EventText {
  reason: string;
  message: string;
  type: 'Warning' | 'Normal';
}

export function sysctlChangedText(e: DriftEvent, findings: Finding[]): EventText {
  const why = findings.filter((f) => f.evidence.some((x) => x.text.includes(e.name))).map((f) => f.id);
  return {
    reason: 'SysctlChanged',
    message: `sysctl ${e.name} changed: ${e.old ?? '(absent)'} -> ${e.new ?? '(absent)'}${why.length ? ` (now failing: ${why.join(', ')})` : ''}`,
    type: 'Warning',
  };
}

export function remediatedText(check: string, sysctl: string, old: string, value: string): EventText {
  return {
    reason: 'SysctlRestored',
    message: `podpath --remediate ${check}: set ${sysctl} ${old} -> ${value}`,
    type: 'Normal',
  };
}

/** The core/v1 Event on Node `node`; timestamps as Date so the client library can serialize them. */
export function eventBody(node: string, namespace: string, t: EventText, now = new Date()) {
  return {
    metadata: { generateName: `${node}.podpath-`, namespace },
    involvedObject: { kind: 'Node', name: node, apiVersion: 'v1' },
    reason: t.reason,
    message: t.message,
    type: t.type,
    source: { component: COMPONENT, host: node },
    reportingComponent: COMPONENT,
    reportingInstance: `${COMPONENT}-${hostname()}`,
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  };
}

const seconds = (d: Date): string => d.toISOString().replace(/\.\d+Z$/, 'Z');

/** Tracks lastTransitionTime across patches and builds the status.conditions patch body. */
export class ConditionTracker {
  private lastTransition = new Date();
  private lastStatus: string | undefined;

  body(s: ProblemState, now = new Date()) {
    const status = s.problem ? 'True' : 'False';
    if (status !== this.lastStatus) this.lastTransition = now;
    this.lastStatus = status;
    return {
      status: {
        conditions: [
          {
            type: CONDITION_TYPE,
            status,
            reason: s.reason,
            message: s.message,
            lastHeartbeatTime: seconds(now),
            lastTransitionTime: seconds(this.lastTransition),
          },
        ],
      },
    };
  }
}
