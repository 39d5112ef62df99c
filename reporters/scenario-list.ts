/** `bench list`: each scenario with its claims, targets and matrix size per profile. Pure. */
import { profileNames, type Scenario, expandMatrix, resolveScenario } from '../scenarios/index.js';

export function formatScenarioList(scenarios: readonly Scenario[]): string {
  const lines: string[] = [];
  for (const scenario of scenarios) {
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
