/**
 * The example's Worker: the Sluice gateway with its configuration bundled
 * from sluice.yaml (a text module, see wrangler.toml). Without a bundled
 * file, `main` may point at src/runtimes/workers/entry.ts instead, which
 * reads the configuration from the SLUICE_CONFIG var or secret.
 */
import { createWorker } from '../../src/runtimes/workers/worker.ts';
import config from './sluice.yaml';

export default createWorker({ config });
