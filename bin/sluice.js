#!/usr/bin/env node
// Launcher for the `sluice` command: runs the compiled CLI in dist/, which
// `npm run build` writes (and `npm ci` or `npm install` runs that build).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);

if (existsSync(entry)) {
  const { run } = await import(entry.href);
  await run(process.argv.slice(2));
} else {
  process.stderr.write(
    'sluice: the compiled CLI (dist/cli/main.js) is missing. Build it with `npm run build`\n' +
      '(`npm ci` and `npm install` build it too), then run the command again.\n',
  );
  process.exitCode = 1;
}
