/**
 * `AssumeRoleWithWebIdentity` at `POST /.sts`: an identity token from a
 * configured provider is exchanged for session credentials of a role.
 *
 * Checks run cheapest first, and nothing is fetched for a token whose issuer
 * the role does not trust: parameters → role name → the role → the token's
 * claimed issuer (unverified) against the providers the role's account may
 * use (the platform's, the built-in one, its own registered ones — never
 * another account's) and the role's bindings →
 * duration → the token's signature and claims (JWKS fetch) → the role's
 * audience and claim constraints → minting. The management API's dry run
 * (`role-token-test.ts`) takes the same steps, up to minting.
 */
import { discardBody } from '../core/body.ts';
import type { GatewayRequest } from '../core/http.ts';
import type { LogSink } from '../core/runtime.ts';
import { OidcError } from '../oidc/errors.ts';
import { type TokenVerifier, peekIssuer } from '../oidc/token-verifier.ts';
import { type ApiKeyRecordLookup, checkApiKeyExchange } from './api-key-exchange.ts';
import { BUILT_IN_PROVIDER_ID } from './built-in-provider.ts';
import { matchBindings } from './claim-match.ts';
import type { RouteContext, SpecialRoute } from '../core/routes.ts';
import { mintSessionCredentials } from './mint-session.ts';
import { accountProviderFor, tokenSubject } from './role-token-test.ts';
import { DEFAULT_MAX_SESSION_SECONDS } from './role.ts';
import { assumedRoleArn, parseRoleRef, roleId } from './role-ref.ts';
import type { RoleSource } from './role-source.ts';
import type { ProviderDirectory } from './provider-scope.ts';
import type { SessionKeyring } from './session-keyring.ts';
import { asKeyringSource, NoSessionKeysError, type SessionKeyringSource } from './session-keyring-source.ts';
import { type StsExchangeRecord, writeStsExchange } from './sts-audit.ts';
import { StsError, renderStsError } from './sts-error.ts';
import { parseAssumeRoleWithWebIdentity, readParameters } from './sts-request.ts';
import { renderAssumeRoleWithWebIdentity, stsDate } from './sts-response.ts';

export const STS_PATH = '/.sts';
export const STS_ASSUME_ROLE_PATH = '/.sts/assume-role-with-web-identity';

export interface StsRouteDeps {
  roles: RoleSource;
  verifier: TokenVerifier;
  /** Fixed keys, or the store's (new credentials use its active version). */
  keyring: SessionKeyring | SessionKeyringSource;
  /** Fills `bytes` with cryptographically strong random values. */
  random: (bytes: Uint8Array) => Uint8Array;
  /** Receives one `sts_exchange` audit event per request. */
  audit: LogSink;
  maxBodyBytes?: number;
  /** API key records, when Sluice's issuer is the built-in identity provider; absent: API keys are refused. */
  apiKeys?: ApiKeyRecordLookup;
  /**
   * The providers each account's exchanges may accept tokens of (shared ones
   * plus the account's registered ones); absent: the verifier's providers.
   */
  providers?: ProviderDirectory;
}

/** The route at `/.sts`. */
export function createStsRoute(deps: StsRouteDeps, path: string = STS_PATH): SpecialRoute {
  return { op: 'AssumeRoleWithWebIdentity', path, handle: (req, ctx) => handle(deps, req, ctx) };
}

/**
 * The paths STS answers on: `/.sts`, `/.sts/` (where the AWS SDKs post when
 * the endpoint is `…/.sts`: they append a slash) and
 * `/.sts/assume-role-with-web-identity`. Other paths under `/.sts/` are
 * refused in STS's envelope rather than read as S3 keys.
 */
export function createStsRoutes(deps: StsRouteDeps): SpecialRoute[] {
  const slashed: SpecialRoute = {
    op: 'AssumeRoleWithWebIdentity',
    path: `${STS_PATH}/`,
    async handle(req, ctx) {
      if (req.rawPath === `${STS_PATH}/`) return handle(deps, req, ctx);
      discardBody(req.body);
      return renderStsError(new StsError('InvalidAction', 'No STS action at this path.', `path ${req.rawPath}`, 404), ctx.requestId);
    },
  };
  return [createStsRoute(deps, STS_PATH), createStsRoute(deps, STS_ASSUME_ROLE_PATH), slashed];
}

async function handle(deps: StsRouteDeps, req: GatewayRequest, ctx: RouteContext) {
  const record: StsExchangeRecord = { requestId: ctx.requestId, result: 'failure', ...(ctx.clientIp ? { clientIp: ctx.clientIp } : {}) };
  try {
    if (req.method !== 'POST') {
      discardBody(req.body);
      throw new StsError('InvalidAction', 'STS requests must be sent with POST.', `method ${req.method}`, 405);
    }
    const response = await exchange(deps, req, ctx, record);
    record.result = 'success';
    return response;
  } catch (error) {
    const stsError = toStsError(error, ctx.log, ctx.requestId);
    record.errorCode = stsError.code;
    record.reason = stsError.detail;
    return renderStsError(stsError, ctx.requestId, stsError.status === 405 ? { allow: 'POST' } : {});
  } finally {
    writeStsExchange(deps.audit, ctx.now(), record);
  }
}

async function exchange(deps: StsRouteDeps, req: GatewayRequest, ctx: RouteContext, record: StsExchangeRecord) {
  const input = parseAssumeRoleWithWebIdentity(await readParameters(req, deps.maxBodyBytes));
  record.sessionName = input.roleSessionName;

  const ref = parseRoleRef(input.roleArn);
  if (!ref) {
    throw new StsError('MalformedPolicyDocument', 'RoleArn is not a valid role name: use {account}::role/{name} or arn:aws:iam::{account}:role/{name}.');
  }
  record.account = ref.account;
  record.role = ref.name;
  const issuer = peekIssuer(input.webIdentityToken);
  record.issuer = issuer;
  const role = await deps.roles.getRole(ref.account, ref.name);
  if (!role) throw new StsError('InvalidParameterValue', 'The role does not exist.', `no role ${ref.account}::role/${ref.name}`);

  // Only the role's account's providers and the shared ones: another account's registered issuer is unknown here.
  const provider = await accountProviderFor(deps, role.account, issuer);
  if (!provider) throw new StsError('InvalidIdentityToken', `No OpenIDConnect provider found in your account for ${issuer}`);
  if (!role.bindings.some((binding) => binding.provider === provider.id)) {
    throw new StsError('IDPRejectedClaim', 'The identity provider that issued the token is not trusted by this role.', `role has no binding for provider "${provider.id}"`);
  }

  const durationSeconds = input.durationSeconds ?? Math.min(DEFAULT_MAX_SESSION_SECONDS, role.maxSessionDurationSeconds);
  if (durationSeconds > role.maxSessionDurationSeconds) {
    throw new StsError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.', `requested ${durationSeconds} s, role maximum ${role.maxSessionDurationSeconds} s`);
  }

  const now = ctx.now();
  const verified = await deps.verifier.verify(input.webIdentityToken, provider, now);
  const subject = tokenSubject(verified.claims);
  if (subject === undefined) throw new StsError('InvalidIdentityToken', 'The token has no subject (sub).');
  record.assumedBy = subject;
  if (provider.id === BUILT_IN_PROVIDER_ID) {
    if (!deps.apiKeys) throw new StsError('InvalidIdentityToken', 'API keys are not accepted by this server.', 'no API key store');
    record.apiKey = (await checkApiKeyExchange(verified.claims, ref, deps.apiKeys, now)).jti;
  }

  const match = matchBindings(role.bindings, { provider: provider.id, audiences: verified.audiences, claims: verified.claims });
  if (!match.allowed) {
    const message = match.reason === 'claims_unmet'
      ? `The token's claims do not meet the role's conditions (failed: ${match.failedClaims.join(', ')}).`
      : match.reason === 'audience_not_bound'
        ? 'The token\'s audience is not accepted by this role.'
        : 'The identity provider that issued the token is not trusted by this role.';
    throw new StsError('IDPRejectedClaim', message, match.detail);
  }

  const credentials = await mintSessionCredentials(await asKeyringSource(deps.keyring).current(), {
    role,
    sessionName: input.roleSessionName,
    assumedBy: subject,
    assumedByIssuer: issuer,
    durationSeconds,
    now,
    random: deps.random,
  });
  record.accessKeyId = credentials.accessKeyId;
  record.durationSeconds = durationSeconds;
  record.expiration = stsDate(credentials.expiration);
  return renderAssumeRoleWithWebIdentity({
    credentials,
    subject,
    audience: match.audience,
    provider: issuer,
    assumedRoleArn: assumedRoleArn(ref, input.roleSessionName),
    assumedRoleId: `${await roleId(ref)}:${input.roleSessionName}`,
  }, ctx.requestId);
}

/** The one mapping from failures to STS errors; anything unexpected is an opaque 500. */
function toStsError(error: unknown, log: LogSink, requestId: string): StsError {
  if (error instanceof StsError) return error;
  // A known state of a new deployment, not a fault: say what makes it work.
  if (error instanceof NoSessionKeysError) return new StsError('ServiceUnavailable', `STS cannot issue sessions yet: ${error.message}.`, error.message);
  if (error instanceof OidcError) {
    switch (error.code) {
      case 'token_expired':
        return new StsError('ExpiredTokenException', 'Token expired: current date/time is after the token\'s expiry.', error.detail);
      case 'jwks_unreachable':
        return new StsError('IDPCommunicationError', 'The identity provider could not be reached to fetch its signing keys. Try again later.', error.detail);
      case 'issuer_untrusted':
        return new StsError('InvalidIdentityToken', 'The token\'s issuer is not a configured identity provider.', error.detail);
      case 'audience_mismatch':
        return new StsError('InvalidIdentityToken', 'Incorrect token audience.', error.detail);
      case 'bad_signature':
        return new StsError('InvalidIdentityToken', 'The token\'s signature could not be verified.', error.detail);
      case 'token_not_yet_valid':
      case 'token_malformed':
        return new StsError('InvalidIdentityToken', `The token is invalid: ${error.message}.`, error.detail);
    }
  }
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  log.write({ level: 'error', msg: 'sts_internal_error', requestId, error: detail });
  return new StsError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', detail);
}
