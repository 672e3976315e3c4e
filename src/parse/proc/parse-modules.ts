/**
 * @module parse/proc/parse-modules
 * /proc/modules (kernel: `m_show` in kernel/module/procfs.c) -> loaded modules:
 *
 *     br_netfilter 32768 0 - Live 0x0000000000000000
 *     bridge 311296 1 br_netfilter, Live 0x0000000000000000 (E)
 *
 * (name, size, reference count, users, state, address, taint flags). `lsmod` output
 * (`Module  Size  Used by` header) is read too. A kernel built without module support has no
 * /proc/modules: then everything is built in, which this source cannot tell.
 */
import { diag, type Diagnostic, type ParseResult } from '../diagnostic.js';
import { splitLines, tokenize } from '../iproute/tokens.js';

export interface LoadedModule {
  name: string;
  size: number;
  /** absent when the kernel prints `-` (module cannot be unloaded) */
  refcount?: number;
  /** modules using this one */
  deps: string[];
  /** Live, Loading, Unloading (unknown for lsmod output) */
  state: string;
  line: number;
}

export function parseModules(text: string): ParseResult<LoadedModule[]> {
  const diagnostics: Diagnostic[] = [];
  const mods: LoadedModule[] = [];
  splitLines(text).forEach((line, i) => {
    const n = i + 1;
    const t = tokenize(line);
    if (t.length === 0) return;
    if (i === 0 || mods.length === 0) {
      if (t[0]!.text === 'Module' && t[1]?.text === 'Size') return; // lsmod header
    }
    const [name, size, ref, users, state] = t;
    if (!name || !size || !/^[A-Za-z0-9_-]+$/.test(name.text) || !/^\d+$/.test(size.text)) {
      const at = name && /^[A-Za-z0-9_-]+$/.test(name.text) ? (size ?? name) : (name ?? t[0]!);
      diagnostics.push(
        diag(
          'SYNTAX',
          `modules: expected "NAME SIZE REFCOUNT ...", found ${JSON.stringify(at.text)}`,
          n,
          at.column,
        ),
      );
      return;
    }
    const mod: LoadedModule = {
      name: name.text,
      size: Number(size.text),
      deps: [],
      state: state?.text ?? 'unknown',
      line: n,
    };
    if (ref && /^\d+$/.test(ref.text)) mod.refcount = Number(ref.text);
    else if (ref && ref.text !== '-')
      diagnostics.push(
        diag('BAD_VALUE', `modules: bad reference count ${JSON.stringify(ref.text)}`, n, ref.column),
      );
    if (users && users.text !== '-')
      mod.deps = users.text.split(',').filter((s) => s !== '' && s !== '[permanent]');
    // lsmod: `Used by` is the 4th column and there is no state
    if (state && !/^(Live|Loading|Unloading)$/.test(state.text)) mod.state = 'unknown';
    mods.push(mod);
  });
  return { value: mods, diagnostics };
}
