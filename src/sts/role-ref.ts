/**
 * Naming roles. A role belongs to an account and is named
 * `{account}::role/{name}`; the AWS form `arn:aws:iam::{account}:role/{name}`
 * is accepted too, so AWS tooling can pass its usual `RoleArn`.
 */

/** Role names chosen by people; `_default` is built in and cannot be written by hand. */
export const ROLE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const DEFAULT_ROLE_NAME = '_default';
const ACCOUNT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export interface RoleRef {
  account: string;
  name: string;
}

export function isRoleName(name: string): boolean {
  return ROLE_NAME.test(name) || name === DEFAULT_ROLE_NAME;
}

/** The role a `RoleArn` names, or undefined when it is not a well-formed role name. */
export function parseRoleRef(text: string): RoleRef | undefined {
  const match = /^([^:]+)::role\/(.+)$/.exec(text) ?? /^arn:aws:iam::([^:]+):role\/(.+)$/.exec(text);
  if (!match) return undefined;
  const [, account, name] = match as unknown as [string, string, string];
  return ACCOUNT.test(account) && isRoleName(name) ? { account, name } : undefined;
}

export function roleUrn(ref: RoleRef): string {
  return `${ref.account}::role/${ref.name}`;
}

/** The `AssumedRoleUser/Arn` STS reports for a session. */
export function assumedRoleArn(ref: RoleRef, sessionName: string): string {
  return `arn:aws:sts::${ref.account}:assumed-role/${ref.name}/${sessionName}`;
}

/**
 * A stable, opaque role id in the shape of AWS's (`AROA…`, 21 characters):
 * `SLRO` and 17 base32 characters of the SHA-256 of the role's name.
 */
export async function roleId(ref: RoleRef): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(roleUrn(ref))));
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 17) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return `SLRO${out}`;
}
