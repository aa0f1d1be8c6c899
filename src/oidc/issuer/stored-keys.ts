/**
 * Issuer keys from the policy store: read again at most every `reloadMs`
 * (60 s), so a rotation made with `sluice issuer keys rotate` reaches a
 * running server within a minute. The active key signs; `next` and
 * `previous` keys are published. When a reload fails the keys already held
 * stay in use.
 */
import type { OutboundSecretStore } from '../../policy/outbound-store.ts';
import { type IssuerKey, type IssuerKeySet, type IssuerKeySource, IssuerKeyError, importIssuerKey, issuerKeySet } from './issuer-keys.ts';

export const STORED_KEYS_RELOAD_MS = 60_000;

export function storedIssuerKeySource(store: Pick<OutboundSecretStore, 'issuerKeys'>, now: () => Date, reloadMs = STORED_KEYS_RELOAD_MS): IssuerKeySource {
  let held: { set: IssuerKeySet; loadedAt: number } | undefined;
  let loading: Promise<IssuerKeySet> | undefined;
  const imported = new Map<string, IssuerKey>();

  const load = async (): Promise<IssuerKeySet> => {
    const records = await store.issuerKeys();
    const keyOf = async (record: (typeof records)[number]) => {
      let key = imported.get(record.kid);
      if (!key) {
        key = await importIssuerKey(record.privateKeyPem, record.alg);
        imported.set(record.kid, key);
      }
      return key;
    };
    const active = records.filter((record) => record.status === 'active');
    if (active.length !== 1) {
      throw new IssuerKeyError(active.length === 0 ? 'the policy store holds no active issuer key (run `sluice issuer keys generate`)' : 'the policy store holds more than one active issuer key');
    }
    const others = records.filter((record) => record.status === 'next' || record.status === 'previous');
    return issuerKeySet(await keyOf(active[0]!), await Promise.all(others.map(keyOf)));
  };

  return {
    async keys() {
      const at = now().getTime();
      if (held && at - held.loadedAt < reloadMs) return held.set;
      loading ??= load()
        .then((set) => {
          held = { set, loadedAt: now().getTime() };
          return set;
        })
        .finally(() => {
          loading = undefined;
        });
      try {
        return await loading;
      } catch (error) {
        if (held) return held.set;
        throw error;
      }
    },
  };
}
