/**
 * `RoleSessionName` for STS: AWS accepts 2 to 64 characters from
 * `[\w+=,.@-]`. The name shows in CloudTrail as the assumed-role session, so
 * it is derived from the token's subject: characters outside the set become
 * `-`, the result is cut at 64, and a too-short name is padded.
 */

const MAX = 64;

export function roleSessionName(subject: string): string {
  const name = subject.replace(/[^\w+=,.@-]/g, '-').slice(0, MAX);
  return name.length >= 2 ? name : name.padEnd(2, '-');
}
