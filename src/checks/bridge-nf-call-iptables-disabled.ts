/**
 * @module checks/bridge-nf-call-iptables-disabled
 * FM-01 (the seed incident), IPv4: net.bridge.bridge-nf-call-iptables = 0 with pods on a bridge.
 */
import type { Check } from './types.js';
import { bridgeNfCallCheck } from './bridge-nf-call.js';

export const check: Check = bridgeNfCallCheck('iptables');
