/**
 * @module cluster/light-watch-pods
 * Watches the pods of one node on cluster/light-api: a list (fieldSelector spec.nodeName)
 * reported as ADDED, then a watch from the list's resourceVersion with bookmarks. When the
 * server ends the watch it resumes from the last resourceVersion seen; on 410 Gone (expired
 * resourceVersion, as an HTTP answer or an ERROR event) it lists again and reports only the
 * differences. Same interface as cluster/watch-pods.
 */
import { ApiError, type LightApi } from './light-api.js';
import type { PodWatch } from './watch-pods.js';

interface Meta {
  namespace?: string;
  name?: string;
  resourceVersion?: string;
}

export function watchNodePodsLight(
  api: LightApi,
  node: string,
  onChange: (type: string, pod: { namespace: string; name: string }) => void,
  opts: { retryMs?: number; onError?: (e: unknown) => void } = {},
): PodWatch {
  let stopped = false;
  let abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let rv: string | undefined;
  /** namespace/name -> resourceVersion of the pods on this node */
  const known = new Map<string, string>();
  const sel = encodeURIComponent(`spec.nodeName=${node}`);
  const key = (m: Meta): string => `${m.namespace ?? ''}/${m.name ?? ''}`;
  const tell = (type: string, k: string): void => {
    const i = k.indexOf('/');
    onChange(type, { namespace: k.slice(0, i), name: k.slice(i + 1) });
  };

  const list = async (): Promise<void> => {
    const l = await api.json('GET', `/api/v1/pods?fieldSelector=${sel}`);
    const items = (l['items'] as { metadata?: Meta }[] | undefined) ?? [];
    const seen = new Set<string>();
    for (const p of items) {
      const k = key(p.metadata ?? {});
      seen.add(k);
      const before = known.get(k);
      known.set(k, p.metadata?.resourceVersion ?? '');
      if (before === undefined) tell('ADDED', k);
      else if (before !== (p.metadata?.resourceVersion ?? '')) tell('MODIFIED', k);
    }
    for (const k of [...known.keys()])
      if (!seen.has(k)) {
        known.delete(k);
        tell('DELETED', k);
      }
    rv = (l['metadata'] as Meta | undefined)?.resourceVersion;
  };

  const watch = (): Promise<void> =>
    api.stream(
      `/api/v1/pods?watch=true&allowWatchBookmarks=true&fieldSelector=${sel}${rv ? `&resourceVersion=${encodeURIComponent(rv)}` : ''}`,
      (e) => {
        const o = e.object as { metadata?: Meta; code?: number; message?: string; reason?: string };
        if (e.type === 'ERROR') {
          rv = undefined; // 410 Expired or another error: list again
          throw new ApiError(o.code ?? 0, o.reason ?? 'Error', `pod watch: ${o.message ?? 'ERROR event'}`);
        }
        if (o.metadata?.resourceVersion) rv = o.metadata.resourceVersion;
        if (e.type === 'BOOKMARK') return;
        const k = key(o.metadata ?? {});
        if (e.type === 'DELETED') known.delete(k);
        else known.set(k, o.metadata?.resourceVersion ?? '');
        onChange(e.type, { namespace: o.metadata?.namespace ?? '', name: o.metadata?.name ?? '' });
      },
      abort.signal,
    );

  const loop = async (): Promise<void> => {
    if (stopped) return;
    try {
      if (rv === undefined) await list();
      const t0 = Date.now();
      await watch();
      if (stopped) return;
      // the server ended the watch (its timeout): resume from the last resourceVersion, at
      // once unless it ended right away
      timer = setTimeout(() => void loop(), Date.now() - t0 < 1000 ? (opts.retryMs ?? 5000) : 0);
      timer.unref();
    } catch (e) {
      if (stopped) return;
      const gone = e instanceof ApiError && e.code === 410;
      if (!gone) opts.onError?.(e);
      rv = undefined; // list again: after 410 at once, after other errors with a pause
      abort = new AbortController();
      timer = setTimeout(() => void loop(), gone ? 0 : (opts.retryMs ?? 5000));
      timer.unref();
    }
  };
  void loop();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      abort.abort();
    },
  };
}
