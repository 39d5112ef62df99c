/**
 * `docs/claims.md`: the claims catalogue (scenarios/claims.ts) as a page a user can read without the
 * code — each claim in the document's words, what it really is, and exactly which figures the harness
 * measures and how each is judged. Generated (`bench list --claims-doc > docs/claims.md`); a test keeps
 * the committed page equal to the catalogue. Pure.
 */
import type { CellSelector, ClaimCheck, ClaimSpec } from '../scenarios/index.js';

function selector(s: CellSelector): string {
  const parts = Object.entries(s).map(([k, v]) => `${k}=${String(v)}`);
  return parts.length === 0 ? 'every cell' : parts.join(', ');
}

function describeCheck(check: ClaimCheck): string {
  switch (check.kind) {
    case 'effect':
      return `${check.label}: \`${check.metric}\`, ${selector(check.baseline)} → ${selector(check.treatment)}; claimed ${check.claimedChangePct === null ? 'an improvement' : `${check.claimedChangePct > 0 ? '+' : ''}${check.claimedChangePct}%`}`;
    case 'no-worse':
      return `${check.label}: \`${check.metric}\` not worse, ${selector(check.baseline)} → ${selector(check.treatment)}`;
    case 'absolute':
      return `${check.label}: \`${check.metric}\` ${check.relation} ${check.value}${check.tolerancePct === undefined ? '' : ` (±${check.tolerancePct}%)`} for ${selector(check.select)}${check.context?.length ? `; shown beside it: ${check.context.map((m) => `\`${m}\``).join(', ')}` : ''}`;
    case 'gomaxprocs-rule':
      return `${check.label}: GOMAXPROCS the service reports vs the CPU limit and Go's rule, for ${selector(check.select)}`;
    case 'no-op':
      return `${check.label}: the runtime's \`${check.settingMetric}\` for ${selector(check.baseline)} vs ${selector(check.treatment)}; context ${check.metrics.map((m) => `\`${m}\``).join(', ')}`;
    case 'no-failures':
      return `${check.label}: \`${check.metric}\` summed over the repeats of ${selector(check.select)}, with the requests exposed (\`${check.exposureMetric}\`); zero counts only when the 95% upper bound 3/N is below ${check.maxFailureRate}${check.context && check.context.length > 0 ? `; shown beside it, not judged: ${check.context.map(selector).join('; ')}` : ''}`;
    case 'oom-kills':
      return `${check.label}: OOM kills over every repeat of ${selector(check.select)}, at most ${check.atMost}`;
  }
}

export function renderClaimsDoc(catalog: readonly ClaimSpec[]): string {
  const lines = [
    '# The claims under test',
    '',
    '<!-- Generated from scenarios/claims.ts by `npx bench list --claims-doc`; do not edit by hand. -->',
    '',
    'The source document (a Chinese article on Go services in containers and on Kubernetes) makes the',
    "claims below. For each: the document's words, what it really refers to, where the harness measures",
    'it and exactly which figures decide the verdict ([method](method.md) says how a verdict is made).',
    '',
    '| claim | the document says | what it really is | targets |',
    '|---|---|---|---|',
    ...catalog.map((c) => `| \`${c.id}\` | ${c.documentSays} | ${c.correctedFact.replace(/\|/g, '\\|')} | ${c.targets.join(', ') || '—'} |`),
    '',
  ];
  for (const c of catalog) {
    lines.push(`## \`${c.id}\``, '', `> ${c.quote}`, '', `Section: ${c.section}. Kind: ${c.kind}.`, '', `What it really is: ${c.correctedFact}`, '');
    if (c.measurements.length === 0) lines.push('Not measured (a note about the document, not a performance figure).', '');
    for (const m of c.measurements) {
      lines.push(`Measured by scenario \`${m.scenario}\` on ${m.targets.join(', ')}:`, '', ...m.checks.map((check) => `- ${describeCheck(check)}`), '');
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
