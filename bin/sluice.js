#!/usr/bin/env node
// Launcher for the `sluice` command: registers tsx so the TypeScript sources
// run as they are, without a build step, then hands over to the CLI.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../src/cli/main.ts');
await run(process.argv.slice(2));
