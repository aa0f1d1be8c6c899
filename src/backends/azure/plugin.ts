/**
 * The Azure Blob backend as a plug-in: `type: azure` with the storage
 * account, container, endpoint (default `https://{account}.blob.core.windows.net`),
 * a base prefix, and how to authorize: an account key (Shared Key), a SAS
 * token, Entra ID workload identity federation (Sluice's token exchanged for
 * a bearer token; needs the `issuer` section), or nothing (public
 * containers: reads only). Every connection uses the runtime's one HTTP client.
 */
import { z } from 'zod';
import { connectionSchema } from '../../config/connection-schema.ts';
import { endpointProblem, normalizePrefix, prefixProblem } from '../../config/rules.ts';
import { nonEmpty, ruled } from '../../config/schema-parts.ts';
import { DEFAULT_ENTRA_AUDIENCE } from '../../federation/entra-federation.ts';
import { defineBackendPlugin, type BackendServices, type ConnectionOf } from '../plugin.ts';
import type { AzureAuth } from './auth.ts';
import { AzureBackend } from './azure-backend.ts';
import { decodeBase64 } from './shared-key.ts';

export function azureAccountProblem(account: string): string | undefined {
  return /^[a-z0-9]{3,24}$/.test(account) ? undefined : 'must be 3 to 24 lower-case letters and digits (an Azure storage account name)';
}

export function azureContainerProblem(container: string): string | undefined {
  if (container === '$root') return undefined;
  return /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/.test(container)
    ? undefined
    : 'must be 3 to 63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit';
}

export function accountKeyProblem(key: string): string | undefined {
  try {
    return decodeBase64(key).length > 0 ? undefined : 'must not be empty';
  } catch {
    return 'must be the base64 account key as the Azure portal shows it';
  }
}

export const azureAuthSchema = z.discriminatedUnion('type', [
  /** Shared Key: the account key signs every request. */
  z.strictObject({ type: z.literal('sharedKey'), accountKey: ruled(accountKeyProblem) }),
  /** A shared access signature, appended to every request's query. */
  z.strictObject({ type: z.literal('sas'), token: nonEmpty('token') }),
  /** Entra ID workload identity federation: Sluice's token is the client assertion for an access token. */
  z.strictObject({
    type: z.literal('federated'),
    /** The directory (tenant) id or a verified domain. */
    tenantId: ruled(tenantProblem),
    /** The application (client) id of the app registration or user-assigned managed identity. */
    clientId: nonEmpty('clientId'),
    /** Default `https://login.microsoftonline.com/{tenantId}/oauth2/v2.0/token`. */
    tokenEndpoint: ruled(endpointProblem).optional(),
    /** The assertion's `aud`, which the federated credential names. */
    audience: nonEmpty('audience').default(DEFAULT_ENTRA_AUDIENCE),
  }),
  /** Anonymous: public containers, reads only. */
  z.strictObject({ type: z.literal('none') }),
]);

export const azureConnectionSchema = connectionSchema('azure', {
  account: ruled(azureAccountProblem),
  container: ruled(azureContainerProblem),
  /** Blob service URL; absent: `https://{account}.blob.core.windows.net`. Azurite: `http://127.0.0.1:10000/devstoreaccount1`. */
  endpoint: ruled(endpointProblem).optional(),
  /** Base prefix within the container: "" or ending in "/". */
  prefix: ruled(prefixProblem).transform(normalizePrefix).default(''),
  auth: azureAuthSchema.default({ type: 'none' }),
});

export type AzureConnectionConfig = ConnectionOf<typeof azureConnectionSchema>;

export function tenantProblem(tenant: string): string | undefined {
  return /^[A-Za-z0-9][A-Za-z0-9.-]{0,253}$/.test(tenant) ? undefined : 'must be a directory (tenant) id or domain';
}

export function azureAuthOf(auth: z.output<typeof azureAuthSchema>, name: string, services: Pick<BackendServices, 'credentials'>): AzureAuth {
  switch (auth.type) {
    case 'federated': {
      const entra = services.credentials?.entraAccessToken;
      if (!entra) throw new TypeError(`connection ${name}: auth type federated needs the issuer section (Sluice signs the client assertion)`);
      const provider = entra({
        connection: name,
        tenantId: auth.tenantId,
        clientId: auth.clientId,
        audience: auth.audience,
        ...(auth.tokenEndpoint !== undefined && { tokenEndpoint: auth.tokenEndpoint }),
      });
      return { kind: 'bearer', provider: { token: (options) => provider(options) } };
    }
    case 'sharedKey':
      return { kind: 'sharedKey', accountKey: auth.accountKey };
    case 'sas':
      return { kind: 'sas', token: auth.token };
    case 'none':
      return { kind: 'none' };
  }
}

export const azureBackendPlugin = defineBackendPlugin({
  type: 'azure',
  configSchema: azureConnectionSchema,
  create: (connection, services) =>
    new AzureBackend({
      account: connection.account,
      container: connection.container,
      ...(connection.endpoint !== undefined && { endpoint: connection.endpoint }),
      prefix: connection.prefix,
      readOnly: connection.readOnly,
      auth: azureAuthOf(connection.auth, connection.name, services),
      http: services.httpClient(),
      now: services.now,
    }),
});
