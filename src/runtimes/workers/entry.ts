/**
 * The Workers entry: the gateway configured from the `SLUICE_CONFIG`
 * binding, with `${env:NAME}` filled from the Worker's vars and secrets, and
 * the console's files embedded by the build (`sluice:console-assets`, a
 * module `scripts/build-worker.mjs` generates). (To ship the configuration
 * as a file instead, an entry of its own exports `createWorker({ config })`
 * with the file imported as text. An entry module may export handlers only.)
 */
import consoleAssets from 'sluice:console-assets';
import { createWorker } from './worker.ts';

export default createWorker({ consoleAssets });
