/** `bench list`: scenarios, the claims they test, targets and matrix sizes per profile. */
import { ExitCode } from '../../errors.js';
import { builtinScenarioList } from '../../orchestrator/scenarios.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../types.js';
import { claimsCatalog } from '../../../scenarios/claims.js';
import { renderClaimsDoc } from '../../../reporters/claims-doc.js';
import { formatScenarioList } from '../../../reporters/scenario-list.js';

export const listCommand: Command = async (ctx) => {
  const { values } = parseCommandArgs('list', ctx.argv, { help: { type: 'boolean', short: 'h' }, 'claims-doc': { type: 'boolean' } }, false);
  if (values.help) {
    ctx.stdout('Usage: bench list [--claims-doc]\n  --claims-doc   print the claims catalogue as markdown (docs/claims.md)\n');
    return ExitCode.ok;
  }
  if (values['claims-doc']) {
    ctx.stdout(renderClaimsDoc(claimsCatalog));
    return ExitCode.ok;
  }
  ctx.stdout(`${formatScenarioList(builtinScenarioList())}\n`);
  return ExitCode.ok;
};
