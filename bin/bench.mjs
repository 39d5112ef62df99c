#!/usr/bin/env node
// The `bench` command. The TypeScript sources are compiled to dist/ by `npm ci` (prepare) and `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/bench/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('bench: dist/ is missing; run `npm ci` (or `npm run build`) in the project first\n');
  process.exit(3);
}
const { main } = await import(entry.href);
await main(process.argv.slice(2));
