/**
 * @module parse/nft
 * `nft -j list ruleset` -> `NftRuleset` (src/model/nft.ts) plus positioned diagnostics.
 */
export { parseNftJson, MAX_NFT_DIAGNOSTICS } from './parse-nft-json.js';
export { resolvePriority } from './priority.js';
export { renderRule, renderStatement, renderExpr } from './render-expr.js';
