/**
 * Reading and writing what `sluice keys` deals in: expiry arguments
 * (`90d`, `2027-01-01`), key prefixes for ceilings, statuses, and the
 * human and JSON forms of a key. Secrets never pass through here.
 */
import { expiryProblem, parseExpiry as parseConfigExpiry } from '../../config/rules.ts';
import { grantPrefixProblem } from '../../config/rules.ts';
import type { PermissionStatement } from '../../core/identity.ts';
import { UsageError } from '../command.ts';
import { keyUsability, type AccessKeySummary } from '../../policy/store.ts';

export type DisplayStatus = 'active' | 'disabled' | 'revoked' | 'expired';

const UNIT_MS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000, y: 365 * 86_400_000 };

/**
 * `--expires`: a lifetime (`12h`, `90d`, `6w`, `1y`), a UTC date
 * (`2027-01-01`, midnight UTC) or an ISO time with a zone. Returns a problem
 * message instead of a date when the text is none of those or not in the future.
 */
export function parseExpiry(text: string, now: Date): Date | string {
  let at: Date;
  const lifetime = /^(\d{1,6})([hdwy])$/.exec(text);
  if (lifetime) {
    at = new Date(now.getTime() + Number(lifetime[1]) * UNIT_MS[lifetime[2]!]!);
  } else if (/^\d{4}-/.test(text)) {
    // Absolute times follow the same rules as `expiresAt` in the configuration file.
    const problem = expiryProblem(text);
    if (problem) return `--expires ${text} ${problem}`;
    at = parseConfigExpiry(text);
  } else {
    return `--expires takes a lifetime such as 90d, 12h, 6w or 1y, a date such as 2027-01-01, or an ISO time with a zone; got "${text}"`;
  }
  if (at.getTime() <= now.getTime()) return `--expires ${text} is not in the future`;
  return at;
}

/** The ceiling `--prefix` and `--read-only` ask for; undefined (no ceiling) with neither. */
/** A new key's limits from `--expires`, `--prefix` and `--read-only`; a value that cannot be used is a usage error. */
export function keyLimitsFromFlags(flags: { expires: string | undefined; prefixes: readonly string[]; readOnly: boolean }, now: Date): { expiresAt: Date | undefined; ceiling: PermissionStatement[] | undefined } {
  for (const p of flags.prefixes) {
    const problem = grantPrefixProblem(p);
    if (problem) throw new UsageError(`--prefix ${JSON.stringify(p)} ${problem}`);
  }
  const expiresAt = flags.expires === undefined ? undefined : parseExpiry(flags.expires, now);
  if (typeof expiresAt === 'string') throw new UsageError(expiresAt);
  return { expiresAt, ceiling: ceilingFromFlags(flags.prefixes, flags.readOnly) };
}

export function ceilingFromFlags(prefixes: readonly string[], readOnly: boolean): PermissionStatement[] | undefined {
  if (prefixes.length === 0 && !readOnly) return undefined;
  const statement: PermissionStatement = { bucket: '*', actions: readOnly ? ['read'] : ['read', 'write'] };
  return [prefixes.length > 0 ? { ...statement, prefixes: [...prefixes] } : statement];
}

export function displayStatus(key: AccessKeySummary, now: Date): DisplayStatus {
  const usability = keyUsability({ ...key, secretAccessKey: '' }, now);
  return usability === 'usable' ? 'active' : usability;
}

/** Labels come from users: keep terminal control characters out of the output. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** `2027-01-01 00:00` (UTC, minutes are precise enough to read). */
export function shortTime(date: Date | undefined, absent: string): string {
  return date === undefined ? absent : `${date.toISOString().slice(0, 16).replace('T', ' ')}`;
}

export function describeCeiling(ceiling: readonly PermissionStatement[] | undefined): string {
  if (ceiling === undefined) return 'none (the account’s grants apply in full)';
  if (ceiling.length === 0) return 'nothing allowed';
  return ceiling
    .map((s) => {
      const where = s.bucket === '*' ? 'any bucket' : `bucket ${s.bucket}`;
      const prefixes = s.prefixes && s.prefixes.length > 0 ? ` under ${s.prefixes.join(', ')}` : '';
      return `${s.actions.join(' and ')} on ${where}${prefixes}`;
    })
    .join('; ');
}

/** The JSON form of a key for `--json`: times as ISO strings, absent values as null. */
export function keyToJson(key: AccessKeySummary, now: Date): Record<string, unknown> {
  return {
    accessKeyId: key.accessKeyId,
    account: key.account,
    label: key.label,
    status: displayStatus(key, now),
    createdAt: key.createdAt.toISOString(),
    expiresAt: key.expiresAt?.toISOString() ?? null,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
    ceiling: key.ceiling ?? null,
  };
}

/** Left-aligned columns separated by two spaces. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)];
}

/**
 * When running servers see a change written to the store: at once on
 * PostgreSQL (they hear of every change it announces), else once their
 * policy cache entry expires.
 */
export function takesEffect(policy: { cacheTtlSeconds: number; postgresUrl?: string | undefined }): string {
  if (policy.postgresUrl !== undefined) return 'at once (PostgreSQL announces the change to every server)';
  const ttl = policy.cacheTtlSeconds;
  return `within ${ttl} second${ttl === 1 ? '' : 's'} (policy.cacheTtlSeconds)`;
}
