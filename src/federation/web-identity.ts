/**
 * Outbound federation to AWS: a connection's credentials obtained with
 * `AssumeRoleWithWebIdentity`, presenting a token Sluice mints for itself.
 *
 * The token contract (what a trust policy can pin), built from server state
 * only — never from the request being served:
 *
 * | claim | value |
 * | --- | --- |
 * | `iss` | the configured issuer URL |
 * | `sub` | `sluice:conn:{connection name}` |
 * | `aud` | the connection's `audience` (default `sts.amazonaws.com`) |
 * | `iat`, `nbf` | now |
 * | `exp` | now + 5 minutes at most |
 * | `jti` | 128 random bits, unique per token |
 * | header `kid` | the active issuer key's thumbprint |
 *
 * Credentials are cached per (role, subject, session-policy fingerprint) and
 * renewed ahead of expiry (`RefreshingCredentials`).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { HttpClient } from '../core/http.ts';
import type { LogSink } from '../core/runtime.ts';
import type { TokenMinter } from '../oidc/issuer/token-minter.ts';
import { RefreshingCredentials, type RefreshingCredentialsOptions } from './refreshing-credentials.ts';
import { roleSessionName } from './session-name.ts';
import { assumeRoleWithWebIdentity } from './sts-client.ts';

export const DEFAULT_AWS_AUDIENCE = 'sts.amazonaws.com';
/** The web identity token only has to outlive the exchange. */
export const FEDERATION_TOKEN_LIFETIME_SECONDS = 300;

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface WebIdentityRequest {
  /** The connection's name: the token's subject is `sluice:conn:{connection}`. */
  connection: string;
  roleArn: string;
  audience?: string;
  /** Inline session policy (JSON text). */
  sessionPolicy?: string;
  durationSeconds?: number;
  stsEndpoint: string;
}

export interface FederationOptions {
  minter: TokenMinter;
  http(): HttpClient;
  now(): Date;
  log: LogSink;
  /** Renewal timing of cached credentials (tests shorten it). */
  refreshAheadMs?: number;
  expiryMarginMs?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Told of each credentials lookup (the `federation_credentials` cache metric). */
  onLookup?: (outcome: 'hit' | 'miss') => void;
}

/** Makes credential providers for connections; providers with the same role, subject and session policy share one cache entry. */
export interface Federation {
  webIdentity(request: WebIdentityRequest): () => Promise<AwsCredentials>;
}

export function connectionSubject(connection: string): string {
  return `sluice:conn:${connection}`;
}

function fingerprint(text: string | undefined): string {
  if (text === undefined) return '-';
  return Array.from(sha256(new TextEncoder().encode(text)), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function createFederation(options: FederationOptions): Federation {
  const entries = new Map<string, RefreshingCredentials<AwsCredentials>>();
  return {
    webIdentity(request) {
      const subject = connectionSubject(request.connection);
      const audience = request.audience ?? DEFAULT_AWS_AUDIENCE;
      const key = JSON.stringify([request.roleArn, subject, fingerprint(request.sessionPolicy), audience, request.stsEndpoint]);
      let entry = entries.get(key);
      if (!entry) {
        const context = { connection: request.connection, roleArn: request.roleArn };
        entry = new RefreshingCredentials<AwsCredentials>(
          async () => {
            const minted = await options.minter.mint({ sub: subject, aud: audience, lifetimeSeconds: FEDERATION_TOKEN_LIFETIME_SECONDS });
            const credentials = await assumeRoleWithWebIdentity(options.http(), {
              endpoint: request.stsEndpoint,
              roleArn: request.roleArn,
              roleSessionName: roleSessionName(subject),
              webIdentityToken: minted.token,
              ...(request.sessionPolicy !== undefined && { policy: request.sessionPolicy }),
              ...(request.durationSeconds !== undefined && { durationSeconds: request.durationSeconds }),
            });
            options.log.write({
              event: 'federation.credentials',
              ...context,
              jti: minted.jti,
              kid: minted.kid,
              expiresAt: credentials.expiration.toISOString(),
            });
            const { accessKeyId, secretAccessKey, sessionToken } = credentials;
            return { value: { accessKeyId, secretAccessKey, sessionToken }, expiresAt: credentials.expiration };
          },
          refreshingOptions(options, context),
        );
        entries.set(key, entry);
      }
      const held = entry;
      return async () => {
        try {
          return await held.get();
        } catch (error) {
          options.log.write({ level: 'warn', event: 'federation.credentials_failed', ...context(request), error: describe(error) });
          throw error;
        }
      };
    },
  };
}

function context(request: WebIdentityRequest) {
  return { connection: request.connection, roleArn: request.roleArn };
}

/** Name, message and the cloud's answer (code and message) for the log; never a token or key. */
/** How a federation's cached credentials are renewed: its timing options, its lookups counted, background failures logged. */
export function refreshingOptions(options: FederationOptions, context: Record<string, unknown>): RefreshingCredentialsOptions {
  return {
    now: options.now,
    ...(options.refreshAheadMs !== undefined && { refreshAheadMs: options.refreshAheadMs }),
    ...(options.expiryMarginMs !== undefined && { expiryMarginMs: options.expiryMarginMs }),
    ...(options.baseBackoffMs !== undefined && { baseBackoffMs: options.baseBackoffMs }),
    ...(options.maxBackoffMs !== undefined && { maxBackoffMs: options.maxBackoffMs }),
    ...(options.onLookup !== undefined && { onLookup: options.onLookup }),
    onBackgroundFailure: (error) => options.log.write({ level: 'warn', event: 'federation.refresh_failed', ...context, error: describe(error) }),
  };
}

/** Name, message and the remote answer for the log; never a token or key. */
export function describe(error: unknown): Record<string, unknown> | string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return { name: error.name, message: error.message, ...(cause !== null && typeof cause === 'object' && { detail: cause }) };
}
