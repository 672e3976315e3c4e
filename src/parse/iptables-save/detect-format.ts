/**
 * @module parse/iptables-save/detect-format
 * Recognises input that is clearly not iptables-save / `iptables -S` text, so the caller
 * gets one WRONG_FORMAT diagnostic instead of a screen of syntax errors: `nft list
 * ruleset` text, nft / JSON documents, `iptables -L` listings, and binary data (NUL bytes,
 * or U+FFFD replacement characters left by decoding invalid UTF-8).
 */

/** Why the first meaningful line shows another format, or undefined. */
export function otherFormat(line: string): string | undefined {
  const c = line.charCodeAt(0);
  if (c === 123 /* { */)
    return 'JSON, not iptables-save text (`nft -j list ruleset` output? use the nft parser)';
  if (c === 91 /* [ */ && !/^\[\d/.test(line)) return 'JSON, not iptables-save text';
  if (/^table\s+(ip|ip6|inet|arp|bridge|netdev)?\s*\S+\s*\{/.test(line))
    return '`nft list ruleset` text, not iptables-save (use the nft parser)';
  if (
    /^(add|flush|delete|create|insert|replace|destroy)\s+(table|chain|rule|set|map|element|ruleset)\b/.test(
      line,
    )
  )
    return 'an nft script, not iptables-save';
  if (/^#!.*\bnft\b/.test(line)) return 'an nft script, not iptables-save';
  if (/^Chain\s+\S+\s+\((policy\s+\S+|\d+\s+references)/.test(line))
    return '`iptables -L` output, which loses rule details; collect `iptables-save` instead';
  return undefined;
}

/** Offset of the first NUL or U+FFFD in `text`, or -1. */
export function firstBinaryOffset(text: string): number {
  const a = text.indexOf('\u0000');
  const b = text.indexOf('\uFFFD');
  if (a < 0) return b;
  if (b < 0) return a;
  return Math.min(a, b);
}
