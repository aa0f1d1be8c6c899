/**
 * Reading an STS Query API request: parameters from an
 * `application/x-www-form-urlencoded` body (read up to a bound) and/or the
 * query string, then `AssumeRoleWithWebIdentity`'s members validated the way
 * STS validates them, with its error codes and message forms. Values the
 * caller sent are echoed only where STS echoes them, and never the token.
 */
import { readAll } from '../core/body.ts';
import type { GatewayRequest } from '../core/http.ts';
import { MAX_SESSION_SECONDS, MIN_SESSION_SECONDS } from './role.ts';
import { StsError } from './sts-error.ts';

export const STS_VERSION = '2011-06-15';
export const MAX_BODY_BYTES = 64 * 1024;

export interface AssumeRoleWithWebIdentityInput {
  roleArn: string;
  roleSessionName: string;
  webIdentityToken: string;
  /** Absent when the caller did not ask for a duration. */
  durationSeconds?: number;
}

/** The request's parameters; a body parameter wins over the same one in the query. */
export async function readParameters(req: GatewayRequest, maxBodyBytes = MAX_BODY_BYTES): Promise<URLSearchParams> {
  const params = new URLSearchParams(req.rawQuery);
  if (!req.body) return params;
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  let bytes: Uint8Array;
  try {
    bytes = await readAll(req.body, maxBodyBytes);
  } catch (error) {
    if (error instanceof RangeError) throw new StsError('ValidationError', `The request body exceeds ${maxBodyBytes} bytes.`);
    throw error;
  }
  if (bytes.byteLength === 0) return params;
  if (contentType !== 'application/x-www-form-urlencoded') {
    throw new StsError('InvalidParameterValue', 'The request body must be application/x-www-form-urlencoded.');
  }
  for (const [name, value] of new URLSearchParams(new TextDecoder().decode(bytes))) params.set(name, value);
  return params;
}

const SESSION_NAME = /^[\w+=,.@-]*$/;
const UNSUPPORTED: [test: (name: string) => boolean, message: string][] = [
  [(n) => n === 'Policy' || n.startsWith('PolicyArns.'), 'Session policies are not supported; narrow access with the role\'s permissions.'],
  [(n) => n === 'ProviderId', 'ProviderId is not supported: present an OpenID Connect ID token.'],
];

/** The operation's input, or the STS error for the first class of problem found. */
export function parseAssumeRoleWithWebIdentity(params: URLSearchParams): AssumeRoleWithWebIdentityInput {
  const action = params.get('Action');
  if (!action) throw new StsError('MissingAction', 'The request must contain the parameter Action.');
  const version = params.get('Version');
  if (!version) throw new StsError('MissingParameter', 'The request must contain the parameter Version.');
  if (action !== 'AssumeRoleWithWebIdentity' || version !== STS_VERSION) {
    throw new StsError('InvalidAction', `Could not find operation ${action} for version ${version}`);
  }
  for (const name of params.keys()) {
    const unsupported = UNSUPPORTED.find(([matches]) => matches(name));
    if (unsupported) throw new StsError('InvalidParameterValue', unsupported[1]);
  }

  const problems: string[] = [];
  const roleArn = params.get('RoleArn');
  const roleSessionName = params.get('RoleSessionName');
  const webIdentityToken = params.get('WebIdentityToken');
  const duration = params.get('DurationSeconds');
  const nullProblem = (member: string) => `Value null at '${member}' failed to satisfy constraint: Member must not be null`;
  const at = (value: string | undefined, member: string, constraint: string) =>
    `Value ${value === undefined ? '' : `'${value}' `}at '${member}' failed to satisfy constraint: Member ${constraint}`;

  if (roleArn === null) problems.push(nullProblem('roleArn'));
  else if (roleArn.length > 2048) problems.push(at(undefined, 'roleArn', 'must have length less than or equal to 2048'));

  if (roleSessionName === null) problems.push(nullProblem('roleSessionName'));
  else if (roleSessionName.length < 2) problems.push(at(roleSessionName, 'roleSessionName', 'must have length greater than or equal to 2'));
  else if (roleSessionName.length > 64) problems.push(at(roleSessionName, 'roleSessionName', 'must have length less than or equal to 64'));
  else if (!SESSION_NAME.test(roleSessionName)) problems.push(at(roleSessionName, 'roleSessionName', 'must satisfy regular expression pattern: [\\w+=,.@-]*'));

  // The token is a credential: its value is never echoed.
  if (webIdentityToken === null) problems.push(nullProblem('webIdentityToken'));
  else if (webIdentityToken.length < 4) problems.push(at(undefined, 'webIdentityToken', 'must have length greater than or equal to 4'));
  else if (webIdentityToken.length > 20_000) problems.push(at(undefined, 'webIdentityToken', 'must have length less than or equal to 20000'));

  let durationSeconds: number | undefined;
  if (duration !== null) {
    durationSeconds = /^\d{1,9}$/.test(duration) ? Number(duration) : undefined;
    if (durationSeconds === undefined) problems.push(at(duration.slice(0, 32), 'durationSeconds', 'must be a whole number'));
    else if (durationSeconds < MIN_SESSION_SECONDS) problems.push(at(duration, 'durationSeconds', `must have value greater than or equal to ${MIN_SESSION_SECONDS}`));
    else if (durationSeconds > MAX_SESSION_SECONDS) problems.push(at(duration, 'durationSeconds', `must have value less than or equal to ${MAX_SESSION_SECONDS}`));
  }

  if (problems.length > 0) {
    const count = `${problems.length} validation error${problems.length === 1 ? '' : 's'} detected: `;
    throw new StsError('ValidationError', count + problems.join('; '));
  }
  return { roleArn: roleArn!, roleSessionName: roleSessionName!, webIdentityToken: webIdentityToken!, ...(durationSeconds !== undefined ? { durationSeconds } : {}) };
}
