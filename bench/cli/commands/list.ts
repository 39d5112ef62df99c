/** `bench list`: scenarios, the claims they test, targets and matrix sizes per profile. */
import { ExitCode } from '../../errors.js';
import { builtinScenarioList } from '../../orchestrator/scenarios.js';
import type { Flags } from '../../flags.js';
import { parseCommand, type CommandSpec } from '../help.js';
import type { Command } from '../types.js';
import { claimsCatalog } from '../../../scenarios/claims.js';
import { renderClaimsDoc } from '../../../reporters/claims-doc.js';
import { formatScenarioList } from '../../../reporters/scenario-list.js';

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
  if (values['claims-doc']) {
    ctx.stdout(renderClaimsDoc(claimsCatalog));
    return ExitCode.ok;
  }
  ctx.stdout(`${formatScenarioList(builtinScenarioList())}\n`);
  return ExitCode.ok;
};
