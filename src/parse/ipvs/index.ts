/**
 * @module parse/ipvs
 * IPVS table parsers (`ipvsadm-save -n`, `ipvsadm -Ln`).
 */
export { parseIpvsadm, splitHostPort } from './parse-ipvsadm.js';
