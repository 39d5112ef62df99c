/** `bench list`: scenarios, the claims they test, targets and matrix sizes per profile. */
import { ExitCode } from '../../errors.js';
import type { Flags } from '../../flags.js';
import { parseCommand, type CommandSpec } from '../help.js';
import type { Command } from '../types.js';
import { builtinScenarioList, claimsCatalog } from '../../../scenarios/index.js';

const spec = {
  name: 'list',
  usage: 'list [--claims-doc]',
  positionals: false,
  flags: { 'claims-doc': { type: 'boolean', help: 'print the claims catalogue as markdown (docs/claims.md)' } },
} as const satisfies CommandSpec<Flags>;

export const listCommand: Command = async (ctx) => {
  const parsed = parseCommand(ctx, spec);
  if (parsed === null) return ExitCode.ok;
  const { values } = parsed;
  // The two renderers alone, not the reporters' index (which loads the chart renderer): a listing starts fast.
  if (values['claims-doc']) {
    ctx.stdout((await import('../../../reporters/claims-doc.js')).renderClaimsDoc(claimsCatalog));
    return ExitCode.ok;
  }
  ctx.stdout(`${(await import('../../../reporters/scenario-list.js')).formatScenarioList(builtinScenarioList())}\n`);
  return ExitCode.ok;
};
