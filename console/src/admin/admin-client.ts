/**
 * The account pages' client of the management API (`/.admin/v1/`), signed
 * with the session's credentials exactly like an S3 request (SigV4, service
 * `s3`, the server's region): who the caller is, the account's roles (and
 * a dry run of a token against one), access
 * keys, API keys and registered identity providers. The API's JSON errors
 * become `S3RequestError`s with its code and message (and every listed
 * problem), so the pages explain a refusal the way the browser does.
 */
import type { S3Client } from '../s3/client.ts';
import { S3RequestError } from '../s3/errors.ts';

const BASE = '/.admin/v1';

export interface Caller {
  account: string;
  operator: boolean;
  via: 'access-key' | 'session' | 'api-key';
}

export interface RoleSummary {
  urn: string;
  name: string;
  source: 'file' | 'store';
  description: string | null;
}

export interface ClaimConstraint {
  claim: string;
  operator: string;
  value: string;
}

export interface RoleBinding {
  provider: string;
  audience: string;
  claims: ClaimConstraint[];
}

/** Why one binding of a role refuses a token, from the management API's dry run. */
export interface TokenTestFailure {
  binding: number;
  check: 'issuer' | 'audience' | 'signature' | 'expired' | 'constraint';
  claim?: string;
  operator?: string;
  expected?: string;
  detail: string;
}

export interface TokenTest {
  allowed: boolean;
  binding?: number;
  failures: TokenTestFailure[];
}

export interface AccessKey {
  accessKeyId: string;
  label: string;
  status: 'active' | 'disabled' | 'expired' | 'revoked';
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  readOnly: boolean;
  prefixes: string[] | null;
}

export interface ApiKey {
  jti: string;
  role: string | null;
  label: string;
  status: 'active' | 'expired' | 'revoked';
  createdAt: string;
  expiresAt: string | null;
}

export interface IdentityProvider {
  id: string;
  issuer: string;
  audiences: string[];
  claims: string;
  createdAt: string;
}

export interface NewAccessKey {
  label?: string;
  readOnly?: boolean;
  prefixes?: string[];
  expiresAt?: string;
}

export interface NewApiKey {
  label?: string;
  role?: string;
  expiresAt?: string;
}

interface ErrorBody {
  error?: { code?: string; message?: string; problems?: Array<{ field: string; message: string }> };
  requestId?: string;
}

/** A refusal's text: the API's message and each problem it listed (`field: message`). */
function errorOf(status: number, body: string): S3RequestError {
  let parsed: ErrorBody | undefined;
  try {
    parsed = JSON.parse(body) as ErrorBody;
  } catch {
    // Not the API's JSON (a proxy in front, or no management API): the status says what happened.
  }
  const error = parsed?.error;
  if (!error?.code) return new S3RequestError(status, status === 404 ? 'NotAvailable' : `HTTP${status}`, status === 404 ? 'This server does not offer the management API.' : body.slice(0, 200));
  const problems = (error.problems ?? []).map((p) => `${p.field}: ${p.message}`);
  return new S3RequestError(status, error.code, [error.message ?? '', ...problems].filter((part) => part !== '').join(' '), parsed?.requestId);
}

export class AdminClient {
  constructor(private readonly s3: S3Client) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.s3.origin}${BASE}${path}`;
    const extra: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) extra['content-type'] = 'application/json';
    const headers = await this.s3.headersFor(method, url, extra);
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body: body === undefined ? null : JSON.stringify(body), credentials: 'omit', cache: 'no-store' });
    } catch (error) {
      throw new S3RequestError(0, 'NetworkError', error instanceof Error ? error.message : String(error));
    }
    const text = await response.text();
    if (!response.ok) throw errorOf(response.status, text);
    return JSON.parse(text) as T;
  }

  private account(account: string, rest: string): string {
    return `/accounts/${encodeURIComponent(account)}${rest}`;
  }

  whoAmI(): Promise<Caller> {
    return this.call('GET', '/whoami');
  }

  async listRoles(account: string): Promise<RoleSummary[]> {
    return (await this.call<{ roles: RoleSummary[] }>('GET', this.account(account, '/roles'))).roles;
  }

  /** A role's bindings, each with its claim constraints (the definition's shape is the configuration's). */
  async roleBindings(account: string, name: string): Promise<RoleBinding[]> {
    const role = await this.call<{ definition: { bindings?: unknown } }>('GET', this.account(account, `/roles/${encodeURIComponent(name)}`));
    const bindings = Array.isArray(role.definition.bindings) ? role.definition.bindings : [];
    return bindings.map((entry) => {
      const binding = (entry ?? {}) as { provider?: unknown; audience?: unknown; claims?: unknown };
      const claims = Array.isArray(binding.claims) ? binding.claims : [];
      return {
        provider: String(binding.provider ?? ''),
        audience: String(binding.audience ?? ''),
        claims: claims.map((c) => {
          const constraint = (c ?? {}) as Record<string, unknown>;
          return { claim: String(constraint.claim ?? ''), operator: String(constraint.operator ?? ''), value: String(constraint.value ?? '') };
        }),
      };
    });
  }

  /** Whether the exchange would accept `token` for the role: a dry run, nothing issued. */
  testRoleToken(account: string, name: string, token: string): Promise<TokenTest> {
    return this.call('POST', this.account(account, `/roles/${encodeURIComponent(name)}/test`), { token });
  }

  async listAccessKeys(account: string): Promise<AccessKey[]> {
    return (await this.call<{ accessKeys: AccessKey[] }>('GET', this.account(account, '/access-keys'))).accessKeys;
  }

  createAccessKey(account: string, input: NewAccessKey): Promise<AccessKey & { secretAccessKey: string }> {
    return this.call('POST', this.account(account, '/access-keys'), input);
  }

  revokeAccessKey(account: string, accessKeyId: string): Promise<{ revoked: boolean }> {
    return this.call('DELETE', this.account(account, `/access-keys/${encodeURIComponent(accessKeyId)}`));
  }

  async listApiKeys(account: string): Promise<ApiKey[]> {
    return (await this.call<{ apiKeys: ApiKey[] }>('GET', this.account(account, '/api-keys'))).apiKeys;
  }

  createApiKey(account: string, input: NewApiKey): Promise<ApiKey & { token: string }> {
    return this.call('POST', this.account(account, '/api-keys'), input);
  }

  revokeApiKey(account: string, jti: string): Promise<{ revoked: boolean }> {
    return this.call('DELETE', this.account(account, `/api-keys/${encodeURIComponent(jti)}`));
  }

  async listIdentityProviders(account: string): Promise<IdentityProvider[]> {
    return (await this.call<{ identityProviders: IdentityProvider[] }>('GET', this.account(account, '/idps'))).identityProviders;
  }
}
