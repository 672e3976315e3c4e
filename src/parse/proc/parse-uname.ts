/**
 * @module parse/proc/parse-uname
 * `uname -a` (`Linux vm 6.18.44-fc-v1147 #1 SMP PREEMPT_DYNAMIC @0 x86_64 GNU/Linux`) or
 * `uname -r` (`6.1.0-18-amd64`), and `kernelAtLeast` to gate kernel-version-dependent
 * behaviour in checks.
 */
import { diag, type ParseResult } from '../diagnostic.js';
import { splitLines, tokenize } from '../iproute/tokens.js';

export interface Uname {
  release: string;
  sysname?: string;
  nodename?: string;
  /** `#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)` */
  version?: string;
  machine?: string;
}

const MACHINES =
  /^(x86_64|i[3-6]86|aarch64|arm64|armv[5-8]\w*|ppc64(le)?|s390x|riscv64|mips\w*|loongarch64)$/;
const RELEASE = /^\d+\.\d+/;

export function parseUname(text: string): ParseResult<Uname> {
  const lines = splitLines(text);
  const i = lines.findIndex((l) => l.trim() !== '');
  if (i < 0)
    return { value: { release: '' }, diagnostics: [diag('EMPTY', 'uname: empty output', 0, 0, 'warning')] };
  const t = tokenize(lines[i]!);
  const n = i + 1;
  if (t.length === 1) {
    const release = t[0]!.text;
    const diagnostics = RELEASE.test(release)
      ? []
      : [diag('BAD_VALUE', `uname: not a kernel release: ${JSON.stringify(release)}`, n, t[0]!.column)];
    return { value: { release }, diagnostics };
  }
  // uname -a: sysname nodename release version... machine [processor] [platform] [os]
  const r = t[2];
  if (!r || !RELEASE.test(r.text)) {
    const at = r ?? t[t.length - 1]!;
    return {
      value: { release: '' },
      diagnostics: [
        diag('SYNTAX', 'uname: expected "SYSNAME NODENAME RELEASE ..." or a release', n, at.column),
      ],
    };
  }
  const value: Uname = { release: r.text, sysname: t[0]!.text, nodename: t[1]!.text };
  let m = -1;
  for (let k = t.length - 1; k > 2; k--) {
    if (MACHINES.test(t[k]!.text)) {
      m = k;
      break;
    }
  }
  // `x86_64 x86_64 x86_64 GNU/Linux`: the first of a run of machine names ends the version
  while (m > 3 && MACHINES.test(t[m - 1]!.text)) m--;
  if (m > 2) {
    value.machine = t[m]!.text;
    if (m > 3)
      value.version = lines[i]!.slice(t[3]!.column - 1, t[m - 1]!.column - 1 + t[m - 1]!.text.length);
  } else if (t.length > 3) value.version = lines[i]!.slice(t[3]!.column - 1).trimEnd();
  return { value, diagnostics: [] };
}

/**
 * Is `release` (`6.1.0-18-amd64`) at least `min` (`5.3`)? Undefined when the release does
 * not start with a version number: unknown, not a guess.
 */
export function kernelAtLeast(release: string, min: string): boolean | undefined {
  const a = versionOf(release);
  const b = versionOf(min);
  if (!a || !b) return undefined;
  for (let k = 0; k < Math.max(a.length, b.length); k++) {
    const x = a[k] ?? 0;
    const y = b[k] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

function versionOf(s: string): number[] | undefined {
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(s.trim());
  if (!m) return undefined;
  return m
    .slice(1)
    .filter((x): x is string => x !== undefined)
    .map(Number);
}
