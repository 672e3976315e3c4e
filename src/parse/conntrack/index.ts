/**
 * @module parse/conntrack
 * The connection tracking table and its statistics, as conntrack-tools and /proc print them.
 */
export { parseConntrackList } from './parse-conntrack-list.js';
export { parseConntrackStats, parseConntrackCount } from './parse-conntrack-stats.js';
