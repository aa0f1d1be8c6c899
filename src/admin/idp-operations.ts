/**
 * The management API's operations on an account's registered identity
 * providers: list, register (validated, discovery checked, every problem
 * reported) and remove. A registration or removal takes effect in this
 * process at once and is an audit event. Only operators may register a
 * plain-http (`local`) issuer, as only the operator's configuration may
 * declare one among the platform providers.
 */
import { DuplicateIdentityProviderError } from '../oidc/account-providers.ts';
import { PROVIDER_ID } from '../oidc/provider-config.ts';
import { identityProviderToJson } from '../sts/idp-registration.ts';
import { AdminError, validationFailed } from './admin-error.ts';
import type { AdminCall, AdminResult } from './admin-routes.ts';

function needIdps(call: AdminCall) {
  if (!call.services.config.sts) throw new AdminError('NotAvailable', 'Identity providers need the sts section of the configuration.');
  return call.services;
}

function actorOf(call: AdminCall): Record<string, string> {
  return { actor: call.caller.account, actorVia: call.caller.via, actorCredential: call.caller.credential };
}

export async function listIdentityProviders({ params, services }: AdminCall): Promise<AdminResult> {
  const providers = await services.managed.listIdentityProviders({ account: params.account! });
  return { status: 200, value: { identityProviders: providers.map(identityProviderToJson) } };
}

export async function registerIdentityProvider(call: AdminCall): Promise<AdminResult> {
  const services = needIdps(call);
  const account = call.params.account!;
  const known = services.config.accounts.some((a) => a.name === account) || (await services.managed.listAccounts()).includes(account);
  if (!known) throw new AdminError('NotFound', `No account ${account}.`);
  let result;
  try {
    result = await services.registerIdentityProvider(account, call.body ?? {}, { allowLocal: call.caller.operator, actor: actorOf(call) });
  } catch (error) {
    if (error instanceof DuplicateIdentityProviderError) throw new AdminError('Conflict', 'The account registered a provider with this id or issuer at the same time.');
    if (error instanceof TypeError) throw new AdminError('NotAvailable', error.message);
    throw error;
  }
  if (!result.ok) throw validationFailed(result.problems);
  return { status: 201, value: identityProviderToJson(result.provider) };
}

export async function removeIdentityProvider(call: AdminCall): Promise<AdminResult> {
  const services = needIdps(call);
  const { account, id } = call.params as { account: string; id: string };
  if (!PROVIDER_ID.test(id)) throw validationFailed([{ field: 'id', message: 'must be lower-case letters, digits and hyphens (at most 63)' }]);
  // Another account's provider is "not found": providers are invisible across accounts.
  if (!(await services.removeIdentityProvider(account, id, actorOf(call)))) throw new AdminError('NotFound', `No identity provider ${id} in account ${account}.`);
  return { status: 200, value: { deleted: true } };
}
