/**
 * The client's address for rate limits, metrics and logs: the socket's peer,
 * unless that peer is a trusted proxy — then `X-Forwarded-For` is read from
 * the right, skipping trusted proxies, and the first untrusted address is
 * the client (addresses further left were written by the client itself and
 * prove nothing). Runtime-agnostic: CIDRs are parsed here, IPv4 and IPv6.
 */

export interface Cidr {
  /** 4 bytes for IPv4, 16 for IPv6. */
  bytes: Uint8Array;
  prefix: number;
}

/** An address as bytes (IPv4-mapped IPv6 addresses become IPv4), or undefined when it is not one. */
export function parseIp(text: string): Uint8Array | undefined {
  let s = text.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone !== -1) s = s.slice(0, zone);
  if (s.includes(':')) {
    const v6 = parseIpv6(s);
    if (v6 && v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff) return v6.slice(12);
    return v6;
  }
  return parseIpv4(s);
}

function parseIpv4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    bytes[i] = Number(part);
  }
  return bytes;
}

function parseIpv6(s: string): Uint8Array | undefined {
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
        out.push(parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((group, i) => {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  return bytes;
}

/** `10.0.0.0/8`, `::1/128`, or a bare address (a /32 or /128); undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const bytes = parseIp(slash === -1 ? text : text.slice(0, slash));
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  if (slash === -1) return { bytes, prefix: max };
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  let prefix = Number(prefixText);
  // An IPv4-mapped IPv6 network (::ffff:10.0.0.0/104) was parsed as IPv4.
  if (bytes.length === 4 && text.slice(0, slash).includes(':')) prefix -= 96;
  if (prefix < 0 || prefix > max) return undefined;
  return { bytes, prefix };
}

export function cidrContains(cidr: Cidr, ip: Uint8Array): boolean {
  if (cidr.bytes.length !== ip.length) return false;
  let bits = cidr.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((cidr.bytes[i]! & mask) !== (ip[i]! & mask)) return false;
  }
  return true;
}

/** Resolves the client address of each request, given the configured trusted proxies. */
export function clientIpResolver(trustedProxies: readonly string[]): (peer: string | undefined, forwardedFor: string | undefined) => string | undefined {
  const trusted = trustedProxies.map((text) => {
    const cidr = parseCidr(text);
    if (!cidr) throw new TypeError(`not an address or CIDR: ${text}`);
    return cidr;
  });
  const isTrusted = (address: string) => {
    const ip = parseIp(address);
    return ip !== undefined && trusted.some((cidr) => cidrContains(cidr, ip));
  };
  if (trusted.length === 0) return (peer) => peer;
  return (peer, forwardedFor) => {
    if (peer === undefined || forwardedFor === undefined || !isTrusted(peer)) return peer;
    const hops = forwardedFor.split(',');
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!.trim();
      if (hop === '') continue;
      // Garbage in a hop is the client's own writing: stop at the last trustworthy address.
      if (parseIp(hop) === undefined) return peer;
      if (!isTrusted(hop)) return hop;
      peer = hop;
    }
    // Every hop was a trusted proxy: the left-most one is as far as the chain goes.
    return peer;
  };
}
