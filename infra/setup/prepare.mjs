// `npm ci` / `npm install` hook: compile the TypeScript sources to dist/ so `npx bench` works, and say
// plainly what else the main job needs. Never fails the install for a missing Docker engine or Go:
// `npm run setup` and `npx bench doctor` deal with those.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const tsc = new URL('node_modules/typescript/bin/tsc', root);
if (!existsSync(tsc)) {
  console.log('prepare: typescript is not installed (production install?); skipping the build');
  process.exit(0);
}
execFileSync(process.execPath, [tsc.pathname, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
console.log('prepare: compiled bench to dist/');

const check = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
};
const go = check('go', ['version']);
console.log(go ? `prepare: ${go}` : 'prepare: Go is missing; the reference service cannot be built (install Go 1.25+)');
if (!check('docker', ['version', '--format', '{{.Server.Version}}'])) {
  console.log('prepare: no Docker engine answers; run `npm run setup` (as root it installs and starts one)');
}
