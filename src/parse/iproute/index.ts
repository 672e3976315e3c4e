/**
 * @module parse/iproute
 * Parsers of iproute2 output: `ip -j -d link|addr|route|rule|neigh`, `bridge -j -d link|fdb`,
 * and plain-text fallbacks for `ip addr`, `ip route`, `ip neigh`, `bridge fdb`.
 */
export { parseIpLink } from './parse-ip-link.js';
export { parseIpAddr } from './parse-ip-addr.js';
export { parseIpRoute, type RouteParseOptions } from './parse-ip-route.js';
export { parseIpRule, type RuleParseOptions } from './parse-ip-rule.js';
export { parseIpNeigh } from './parse-ip-neigh.js';
export { parseBridgeLink } from './parse-bridge-link.js';
export { parseBridgeFdb } from './parse-bridge-fdb.js';
export { parseIpAddrText } from './parse-ip-addr-text.js';
export { parseIpRouteText, type RouteTextOptions } from './parse-ip-route-text.js';
export { parseIpRuleText } from './parse-ip-rule-text.js';
export { parseIpNeighText, type NeighTextOptions } from './parse-ip-neigh-text.js';
export { parseBridgeFdbText, type FdbTextOptions } from './parse-bridge-fdb-text.js';
export {
  looksLikeJson,
  parseIpAddrAuto,
  parseIpRouteAuto,
  parseIpNeighAuto,
  parseBridgeFdbAuto,
} from './parse-auto.js';
export { familyOf, normalisePrefix, isPrefix, type Family } from './prefix.js';
