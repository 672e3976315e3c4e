/**
 * @module checks/kernel
 * Kernel release comparisons (`5.4.0-150-generic` < 5.9). Distribution kernels backport
 * fixes, so a finding based on the version says so instead of asserting.
 */
import type { NodeModel } from '../model/node.js';

/** `5.4.0-150-generic` -> [5, 4, 0]; undefined when the release does not start with digits. */
export function kernelVersion(release: string | undefined): [number, number, number] | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release?.trim() ?? '');
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

/** true when the node's kernel is older than `major.minor`, undefined when unknown. */
export function kernelBefore(node: NodeModel, version: string): boolean | undefined {
  const k = kernelVersion(node.kernel);
  const v = kernelVersion(version);
  if (!k || !v) return undefined;
  for (let i = 0; i < 3; i++) if (k[i] !== v[i]) return k[i]! < v[i]!;
  return false;
}

export function kernelEvidenceText(node: NodeModel): string {
  return `kernel ${node.kernel ?? '(unknown)'}`;
}
