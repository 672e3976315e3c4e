/**
 * @module pcap/signatures/context
 * What every detector is given: the capture's name (for evidence sources), the names to
 * show for addresses, and whether sequence numbers are absolute (binary captures) or
 * possibly relative (tcpdump text).
 */

export type NameMap = ReadonlyMap<string, string>;

export interface DetectorContext {
  /** file label used in evidence sources: `<file>#<packet>` */
  file: string;
  /** node the capture was taken on, '' when unknown */
  node: string;
  names: NameMap;
  /** sequence numbers are absolute and windows can be checked (false for text input) */
  absoluteSeq: boolean;
}
