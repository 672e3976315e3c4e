/**
 * @module checks/bridge-nf-call-ip6tables-disabled
 * FM-01, IPv6: net.bridge.bridge-nf-call-ip6tables = 0 with pods on a bridge; critical only
 * when pods have IPv6 addresses (dual-stack), a warning otherwise.
 */
import type { Check } from './types.js';
import { bridgeNfCallCheck } from './bridge-nf-call.js';

export const check: Check = bridgeNfCallCheck('ip6tables');
