#!/usr/bin/env node
// Launcher for the `sluice` command: registers tsx so the TypeScript sources
// run as they are, without a build step, then hands over to the CLI.
import { setFlagsFromString } from 'node:v8';
import { register } from 'tsx/esm/api';

// Heap sizing for a streaming server, set before anything is loaded (later it
// no longer takes effect). Each chunk in flight is a Buffer that may be
// promoted; with V8's small default initial old space and the gateway's live
// heap, incremental marking ran almost continuously and halved throughput on
// large objects (`npm run bench`). This is a starting size, not a cap.
setFlagsFromString('--initial-old-space-size=64');

register();
const { run } = await import('../src/cli/main.ts');
await run(process.argv.slice(2));
