/**
 * @module render/catalog-table
 * `catalogTable()`: the whole check catalog (ALL_CHECKS) as the README's Markdown table, with
 * the "proven in lab" column computed from the lab scenarios' `expectChecks` (the differential
 * lab test asserts those) and, for checks no lab can prove, the kernel's reason.
 * `replaceCatalog(readme)` swaps the table between the README's catalog markers.
 */
import { ALL_CHECKS, checkById } from '../checks/index.js';
import { listScenarioNames, loadScenario } from '../lab/scenario/load-scenario.js';
import { provenChecks } from '../lab/verify/expect-checks.js';
import { renderCatalogTable } from './markdown.js';

/** Checks whose failure the lab's kernel (network namespaces on a shared host) cannot show. */
export const LAB_LIMITS: Record<string, string> = {
  'conntrack-table-near-full':
    'nf_conntrack_max is read-only outside the initial netns (scenario conntrack-tiny records it)',
  'br-netfilter-not-loaded': 'kernel modules are host-wide: a lab node cannot unload br_netfilter',
  'sysctl-not-persistent': 'a network namespace has no /etc of its own (sysctl.d is the host’s)',
  'neighbour-table-small': 'gc_thresh1-3 exist only in the initial netns',
  'tcp-tw-recycle': 'tcp_tw_recycle was removed in Linux 4.12',
  'ipvs-conn-reuse-delay': 'no IPVS in the lab kernel',
  'ipvs-conntrack-disabled': 'no IPVS in the lab kernel',
  'ipvs-idle-timeout': 'no IPVS in the lab kernel',
  'ipvs-strict-arp': 'no IPVS in the lab kernel',
};

export const CATALOG_BEGIN =
  '<!-- check-catalog:begin (generated: node scripts/update-readme-catalog.mjs) -->';
export const CATALOG_END = '<!-- check-catalog:end -->';

export function catalogTable(): string {
  const scenarios = listScenarioNames().map((n) => loadScenario(n));
  const proven = provenChecks(scenarios, (id) => checkById(id)?.severity);
  return renderCatalogTable(ALL_CHECKS, { proven, limits: LAB_LIMITS });
}

/** The README with the table between the markers replaced; undefined when the markers are missing. */
export function replaceCatalog(readme: string, table = catalogTable()): string | undefined {
  const b = readme.indexOf(CATALOG_BEGIN);
  const e = readme.indexOf(CATALOG_END);
  if (b < 0 || e < b) return undefined;
  return `${readme.slice(0, b + CATALOG_BEGIN.length)}\n\n${table}\n${readme.slice(e)}`;
}
