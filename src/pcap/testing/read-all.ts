/**
 * @module pcap/testing/read-all
 * Runs a reader over bytes, whole or cut into chunks of a given size, and collects packets.
 */
import type { CaptureSummary, Packet } from '../types.js';
import { createCaptureParser } from '../read/capture-parser.js';

export function readAll(
  data: Uint8Array,
  o: { chunk?: number; text?: boolean } = {},
): { packets: Packet[]; summary: CaptureSummary } {
  const packets: Packet[] = [];
  const parser = createCaptureParser((p) => packets.push(p), { text: o.text });
  const step = o.chunk ?? data.length;
  for (let i = 0; i < data.length; i += Math.max(1, step))
    parser.push(data.subarray(i, i + Math.max(1, step)));
  return { packets, summary: parser.end() };
}
