/**
 * @module parse/ipset
 * ipset parsers (`ipset save`, `ipset list`).
 */
export { parseIpset, ipsetDims } from './parse-ipset.js';
