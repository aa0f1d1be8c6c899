/**
 * Field rules shared by the schema, the cross-field checks and the CLI
 * (`--listen`). Each returns a problem message, or undefined when the value
 * is fine. Messages never repeat the value itself: it may have come from an
 * environment variable holding a secret.
 */
import { parseMasterKey } from '../auth/secret-box.ts';

/** Suffixes and prefixes AWS reserves, from "General purpose bucket naming rules" (Amazon S3 User Guide). */
const RESERVED_BUCKET_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_BUCKET_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/** S3 general purpose bucket naming rules; also used for account names in path-mapped mode. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters long';
  if (!/^[a-z0-9.-]+$/.test(name)) return 'may contain only lowercase letters, digits, dots and hyphens';
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return 'must begin and end with a lowercase letter or digit';
  if (name.includes('..')) return 'must not contain two adjacent dots';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'must not be formatted as an IP address';
  const prefix = RESERVED_BUCKET_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) return `must not start with the reserved prefix "${prefix}"`;
  const suffix = RESERVED_BUCKET_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix) return `must not end with the reserved suffix "${suffix}"`;
  return undefined;
}

/** Connection names appear in logs and bucket definitions; keep them plain identifiers. */
export function connectionNameProblem(name: string): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name)) {
    return 'connection names must be 1 to 63 letters, digits, dots, hyphens or underscores, starting with a letter or digit';
  }
  return undefined;
}

/** A DNS host name: dot-separated labels of letters, digits and hyphens. */
export function hostnameProblem(host: string): string | undefined {
  if (host.length === 0 || host.length > 253) return 'must be a host name of 1 to 253 characters';
  for (const label of host.split('.')) {
    if (!/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label)) {
      return 'must be a host name such as s3.example.com (labels of letters, digits and inner hyphens, no scheme, port or trailing dot)';
    }
  }
  return undefined;
}

/** `host:port` with an IPv4 address, a host name or a bracketed IPv6 address; port 0 picks a free port. */
export function listenProblem(listen: string): string | undefined {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(listen);
  const usage = 'must be host:port, e.g. 127.0.0.1:9000, 0.0.0.0:9000 or [::1]:9000';
  if (!match) return usage;
  const [, host, port] = match;
  if (Number(port) > 65535) return 'port must be between 0 and 65535';
  if (host!.startsWith('[')) return host!.slice(1, -1).includes(':') ? undefined : usage;
  return hostnameProblem(host!) ? usage : undefined;
}

/** Region names as they appear in SigV4 credential scopes: lowercase words joined by hyphens. */
export function regionProblem(region: string): string | undefined {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(region) || region.length > 32) {
    return 'must be a region name such as us-east-1 (lowercase letters, digits and hyphens)';
  }
  return undefined;
}

/**
 * A bucket's prefix is a folder inside its connection: "" (the whole
 * connection) or a relative path. A missing trailing "/" is added by
 * `normalizePrefix`, so `climate` and `climate/` mean the same folder and a
 * prefix can never match `climate-archive/` by accident.
 */
export function prefixProblem(prefix: string): string | undefined {
  if (prefix === '') return undefined;
  if (prefix.startsWith('/')) return 'must be relative to the connection: remove the leading "/"';
  const segments = prefix.replace(/\/$/, '').split('/');
  if (segments.some((s) => s === '')) return 'must not contain empty path segments ("//")';
  if (segments.some((s) => s === '.' || s === '..')) return 'must not contain "." or ".." segments';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(prefix)) return 'must not contain control characters';
  return undefined;
}

export function normalizePrefix(prefix: string): string {
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/** A CORS origin: "*" or exactly `scheme://host[:port]` (what browsers send in `Origin`). */
export function originProblem(origin: string): string | undefined {
  if (origin === '*') return undefined;
  if (origin.includes('*')) return 'wildcard patterns are not supported: list each origin, or use "*" alone';
  let parsed: URL | undefined;
  try {
    parsed = new URL(origin);
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed.origin === 'null' || parsed.origin !== origin) {
    return 'must be "*" or an origin such as https://example.com (lowercase scheme and host, optional port, no path or trailing "/")';
  }
  return undefined;
}

const TOKEN = /^[!#$%&'+\-.^_`|~0-9A-Za-z]+$/;

/** Request headers a preflight may ask for: "*" or literal header names. */
export function allowedHeaderProblem(name: string): string | undefined {
  if (name === '*') return undefined;
  return TOKEN.test(name) ? undefined : 'must be "*" or a header name (patterns such as x-amz-* are not supported)';
}

/** Response headers exposed to scripts: literal header names only. */
export function headerNameProblem(name: string): string | undefined {
  return TOKEN.test(name) ? undefined : 'must be a header name (patterns and "*" are not supported)';
}

/** An S3 service URL: http(s), no credentials, query or fragment (a path is kept in front of every request). */
export function endpointProblem(endpoint: string): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'must be an http or https URL such as https://s3.us-west-2.amazonaws.com';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL such as https://s3.us-west-2.amazonaws.com';
  if (url.username !== '' || url.password !== '') return 'must not contain a user name or password: put keys under credentials';
  if (url.search !== '' || endpoint.includes('?')) return 'must not have a query string';
  if (url.hash !== '' || endpoint.includes('#')) return 'must not have a fragment';
  return undefined;
}

/** Access key ids as AWS shapes them (16 to 128 characters); upper case and digits only, so an id reads unambiguously. */
export function accessKeyIdProblem(id: string): string | undefined {
  return /^[A-Z0-9]{16,128}$/.test(id) ? undefined : 'access key ids must be 16 to 128 characters of A-Z and 0-9';
}

/** A key prefix in a grant or ceiling, relative to the bucket. A trailing "/" makes no difference. */
export function grantPrefixProblem(prefix: string): string | undefined {
  if (prefix === '') return 'must not be empty (leave out prefixes to cover the whole bucket)';
  if (prefix.startsWith('/')) return 'must be relative to the bucket: remove the leading "/"';
  return undefined;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * When a key expires: a date (00:00 UTC that day) or a date-time with a time
 * zone. A date-time without one would depend on the server's zone.
 */
export function expiryProblem(text: string): string | undefined {
  const usage = 'must be a date such as 2027-06-30 or a date-time with a time zone such as 2027-06-30T12:00:00Z';
  const match = DATE.exec(text) ?? DATE_TIME.exec(text);
  if (!match) return usage;
  const [, year, month, day, hour = '0', minute = '0', second = '0'] = match;
  // Date would roll 2027-02-30 over into March; insist the fields mean what they say.
  const probe = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (probe.getUTCMonth() !== Number(month) - 1 || probe.getUTCDate() !== Number(day)) return 'is not a calendar date';
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return 'is not a valid time of day';
  return Number.isNaN(parseExpiry(text).getTime()) ? usage : undefined;
}

/** Only for text `expiryProblem` accepts. */
export function parseExpiry(text: string): Date {
  return new Date(DATE.test(text) ? `${text}T00:00:00Z` : text);
}

/** The policy store's master key: base64 of 32 bytes. */
export function masterKeyProblem(text: string): string | undefined {
  try {
    parseMasterKey(text);
    return undefined;
  } catch {
    return 'must be 32 random bytes written as base64 (e.g. the output of `openssl rand -base64 32`)';
  }
}

/** A database or cache URL of one of `schemes`; the message never repeats the URL (it may hold a password). */
export function serviceUrlProblem(schemes: readonly string[]): (text: string) => string | undefined {
  return (text) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return `must be a URL (${schemes.map((s) => `${s}//…`).join(' or ')})`;
    }
    if (!schemes.includes(url.protocol)) return `must start with ${schemes.map((s) => `${s}//`).join(' or ')}`;
    if (url.hostname === '') return 'must name a host';
    return undefined;
  };
}

/** A Workers binding name as wrangler.toml declares it: a JavaScript identifier (letters, digits, `_` and `$`, not starting with a digit). */
export function bindingNameProblem(name: string): string | undefined {
  if (!/^[A-Za-z_$][A-Za-z0-9_$]{0,127}$/.test(name)) {
    return 'must be a binding name as in wrangler.toml: letters, digits, "_" or "$", not starting with a digit (e.g. SLUICE_DB)';
  }
  return undefined;
}
