/**
 * The console's routes, when the `console` section enables it: the files the
 * runtime supplies, and sign-in through the configured provider (whose
 * `local` flag, from `sts.identityProviders`, decides whether plain http may
 * be fetched).
 */
import type { SluiceConfig } from '../core/config.ts';
import type { SpecialRoute } from '../core/routes.ts';
import { consoleRoutes } from '../console/console-routes.ts';
import { createSignInProvider } from '../console/sign-in-provider.ts';
import type { AppServices } from './services.ts';

/** `otherRoutes`: the app's other special routes, to tell the console whether the management API is served. */
export async function createConsoleRoutes(config: SluiceConfig, services: AppServices, otherRoutes: readonly SpecialRoute[]): Promise<SpecialRoute[]> {
  const section = config.console;
  if (!section?.enabled) return [];
  const assets = await services.consoleAssets?.();
  if (!assets) throw new TypeError('the console is enabled, but its files are not built: run `npm run build` (or set console.enabled: false)');
  const oidc = section.oidc;
  let signIn;
  if (oidc) {
    if (!services.fetch) throw new TypeError('console.oidc is configured, but this runtime supplies no fetch for identity providers');
    const provider = config.sts?.identityProviders.find((candidate) => candidate.issuer === oidc.issuer);
    signIn = createSignInProvider({ oidc, fetch: services.fetch, allowHttp: provider?.local ?? false, now: () => services.runtime.now().getTime() });
  }
  const managementApi = otherRoutes.some((route) => route.path.startsWith('/.admin/'));
  return consoleRoutes({ console: section, region: config.server.region, assets, signIn, managementApi });
}
