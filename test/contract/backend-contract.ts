/**
 * The backend contract suite: one set of node:test tests every `Backend`
 * implementation runs to prove itself. A backend lacking a feature may skip a
 * named test with a printed reason; checks are never weakened per backend.
 *
 *   runBackendContract('fs', async () => ({ backend, cleanup }), { skip: { 'test name': 'reason' } });
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend } from '../../src/core/backend.ts';
import type { BackendContractOptions, ContractBody, ContractContext } from './contract-support.ts';
import { registerConditionalWriteTests } from './contract-conditional-writes.ts';
import { registerHostileKeyTests } from './contract-hostile-keys.ts';
import { registerListingTests } from './contract-listing.ts';
import { registerMetadataTests } from './contract-metadata.ts';
import { registerObjectTests } from './contract-objects.ts';
import { registerReadTests } from './contract-reads.ts';

export type { BackendContractOptions } from './contract-support.ts';
export { coexistingHostileKeys, hostileKeys } from './hostile-keys.ts';

export function runBackendContract(
  name: string,
  makeBackend: () => Promise<{ backend: Backend; cleanup(): Promise<void> }>,
  options: BackendContractOptions = {},
): void {
  const skip = options.skip ?? {};
  const names = new Set<string>();
  describe(`${name} backend contract`, () => {
    const context: ContractContext = {
      options,
      test(testName: string, body: ContractBody) {
        names.add(testName);
        it(testName, async (t) => {
          const reason = skip[testName];
          if (reason !== undefined) {
            t.skip(reason);
            return;
          }
          const { backend, cleanup } = await makeBackend();
          t.after(cleanup);
          await body(backend, t);
        });
      },
    };
    registerObjectTests(context);
    registerReadTests(context);
    registerListingTests(context);
    registerHostileKeyTests(context);
    registerConditionalWriteTests(context);
    registerMetadataTests(context);
    it('skips name only tests of the suite', () => {
      const unknown = Object.keys(skip).filter((testName) => !names.has(testName));
      assert.deepEqual(unknown, [], 'every skipped name must match a contract test');
    });
  });
}
