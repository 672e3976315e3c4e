/**
 * @module parse/iptables-save
 * iptables-save / `iptables -S` text -> `Ruleset` (src/model/iptables.ts) plus positioned
 * diagnostics. Pure, one pass, never throws.
 */
export { parseIptablesS, parseIptablesSave } from './parse-iptables-save.js';
export type { ParseOptions } from './parse-document.js';
export { tokenizeRule, type RuleToken, type TokenizeResult } from './tokenize-rule.js';
export { MAX_LINE } from './parse-document.js';
export { MAX_DIAGNOSTICS } from './parse-context.js';
