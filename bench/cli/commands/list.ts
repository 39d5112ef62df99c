/** `bench list`: scenarios, the claims they test, targets and matrix sizes per profile. */
import { profileNames } from '../../../scenarios/define.js';
import { expandMatrix, resolveScenario } from '../../../scenarios/matrix.js';
import { ExitCode } from '../../errors.js';
import { builtinScenarioList } from '../../orchestrator/scenarios.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../types.js';
import { claimsCatalog } from '../../../scenarios/claims.js';
import { renderClaimsDoc } from '../../../reporters/claims-doc.js';

export function formatScenarioList(): string {
  const lines: string[] = [];
  for (const scenario of builtinScenarioList()) {
    const sizes = profileNames
      .map((profile) => {
        const resolved = resolveScenario(scenario, profile);
        return `${profile} ${expandMatrix(resolved).length}×${resolved.repeats}`;
      })
      .join(', ');
    lines.push(`${scenario.name}${scenario.default ? '' : ' (not in --matrix)'}`);
    lines.push(`  ${scenario.description}`);
    lines.push(`  claims: ${scenario.claims.join(', ')}`);
    lines.push(`  targets: ${scenario.targets.join(', ')}; kind: ${scenario.kind}`);
    lines.push(`  cells × repeats: ${sizes}`);
  }
  return lines.join('\n');
}

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
  ctx.stdout(`${formatScenarioList()}\n`);
  return ExitCode.ok;
};
