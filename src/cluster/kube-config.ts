/**
 * @module cluster/kube-config
 * Which API server to talk to: `--kubeconfig FILE` and `--context NAME`, else $KUBECONFIG /
 * ~/.kube/config, else the in-cluster service account (a DaemonSet pod). Undefined when
 * nothing is configured, so commands can run without a cluster.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

export interface KubeOptions {
  kubeconfig?: string;
  context?: string;
  /** look at $KUBECONFIG, ~/.kube/config and the service account when no file is given (default true) */
  discover?: boolean;
}

export class KubeConfigError extends Error {
  override name = 'KubeConfigError';
}

const SA_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export function loadKubeConfig(opts: KubeOptions = {}): KubeConfig | undefined {
  const kc = new KubeConfig();
  try {
    if (opts.kubeconfig) {
      if (!existsSync(opts.kubeconfig))
        throw new KubeConfigError(`${opts.kubeconfig}: no such kubeconfig file`);
      kc.loadFromFile(opts.kubeconfig);
    } else if (opts.discover === false) {
      return undefined;
    } else if (process.env['KUBECONFIG'] || existsSync(join(homedir(), '.kube', 'config'))) {
      kc.loadFromDefault();
    } else if (process.env['KUBERNETES_SERVICE_HOST'] && existsSync(SA_TOKEN)) {
      kc.loadFromCluster();
    } else {
      return undefined;
    }
  } catch (e) {
    if (e instanceof KubeConfigError) throw e;
    throw new KubeConfigError(`${opts.kubeconfig ?? 'kubeconfig'}: cannot load: ${(e as Error).message}`);
  }
  if (opts.context) {
    if (!kc.getContexts().some((c) => c.name === opts.context))
      throw new KubeConfigError(
        `--context ${opts.context}: not in ${opts.kubeconfig ?? 'the kubeconfig'} (has: ${kc
          .getContexts()
          .map((c) => c.name)
          .join(', ')})`,
      );
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentCluster()) return undefined;
  return kc;
}
