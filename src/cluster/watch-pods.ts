/**
 * @module cluster/watch-pods
 * Watches the pods of one node (fieldSelector spec.nodeName) through the client library's
 * Watch, so the agent re-checks when pods come and go. Reconnects after the server ends the
 * watch, with a pause; `stop()` ends it for good.
 */
import { Watch, type KubeConfig } from '@kubernetes/client-node';

export interface PodWatch {
  stop(): void;
}

export function watchNodePods(
  kc: KubeConfig,
  node: string,
  onChange: (type: string, pod: { namespace: string; name: string }) => void,
  opts: { retryMs?: number; onError?: (e: unknown) => void } = {},
): PodWatch {
  let stopped = false;
  let abort: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  const w = new Watch(kc);
  const start = (): void => {
    if (stopped) return;
    w.watch(
      '/api/v1/pods',
      { fieldSelector: `spec.nodeName=${node}`, allowWatchBookmarks: true },
      (type, obj: { metadata?: { namespace?: string; name?: string } }) => {
        if (type === 'BOOKMARK') return;
        onChange(type, { namespace: obj?.metadata?.namespace ?? '', name: obj?.metadata?.name ?? '' });
      },
      (err: unknown) => {
        if (stopped) return;
        if (err) opts.onError?.(err);
        timer = setTimeout(start, opts.retryMs ?? 5000);
        timer.unref();
      },
    ).then(
      (a) => {
        abort = a;
        if (stopped) a.abort();
      },
      (e: unknown) => {
        if (stopped) return;
        opts.onError?.(e);
        timer = setTimeout(start, opts.retryMs ?? 5000);
        timer.unref();
      },
    );
  };
  start();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      abort?.abort();
    },
  };
}
