import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { claimsCatalog } from '../scenarios/claims.js';
import { renderClaimsDoc } from './claims-doc.js';

describe('docs/claims.md', () => {
  it('is the catalogue as it is now (regenerate with `npx bench list --claims-doc > docs/claims.md`)', () => {
    const committed = readFileSync(new URL('../docs/claims.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderClaimsDoc(claimsCatalog));
  });

  it('names every claim and every scenario that measures it', () => {
    const doc = renderClaimsDoc(claimsCatalog);
    for (const c of claimsCatalog) {
      expect(doc).toContain(`## \`${c.id}\``);
      for (const m of c.measurements) expect(doc).toContain(`scenario \`${m.scenario}\``);
    }
  });
});
