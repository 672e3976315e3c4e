/**
 * @module parse/iproute/parse-auto
 * JSON or plain text, whichever the capture is: a directory snapshot may hold `ip-route.txt`
 * from a node whose iproute2 has no `-j`, and the real corpus has only text.
 */
import type { ParseResult } from '../diagnostic.js';
import type { Addr, FdbEntry, Neigh, Route } from '../../model/net.js';
import { parseIpAddr } from './parse-ip-addr.js';
import { parseIpAddrText } from './parse-ip-addr-text.js';
import { parseIpRoute } from './parse-ip-route.js';
import { parseIpRouteText } from './parse-ip-route-text.js';
import { parseIpNeigh } from './parse-ip-neigh.js';
import { parseIpNeighText } from './parse-ip-neigh-text.js';
import { parseBridgeFdb } from './parse-bridge-fdb.js';
import { parseBridgeFdbText } from './parse-bridge-fdb-text.js';
import type { Family } from './prefix.js';

/** true when the first non-blank character opens a JSON array or object */
export function looksLikeJson(text: string): boolean {
  return /^\s*[[{]/.test(text);
}

export function parseIpAddrAuto(text: string): ParseResult<Addr[]> {
  return looksLikeJson(text) ? parseIpAddr(text) : parseIpAddrText(text);
}

export function parseIpRouteAuto(text: string, options: { family?: Family } = {}): ParseResult<Route[]> {
  return looksLikeJson(text) ? parseIpRoute(text, options) : parseIpRouteText(text, options);
}

export function parseIpNeighAuto(text: string): ParseResult<Neigh[]> {
  return looksLikeJson(text) ? parseIpNeigh(text) : parseIpNeighText(text);
}

export function parseBridgeFdbAuto(text: string): ParseResult<FdbEntry[]> {
  return looksLikeJson(text) ? parseBridgeFdb(text) : parseBridgeFdbText(text);
}
