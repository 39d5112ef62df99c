/**
 * The default load generator, all in this process: the raw-socket closed-model driver (closed-model.ts)
 * and the arrival-schedule driver (open-model.ts) for open-model and staged cells, which measures from
 * the intended send time. `npm run bench:generators` measures its cost against wrk and autocannon.
 */
import type { LoadProfile } from '../../scenarios/define.js';
import { runNativeClosedModel } from './closed-model.js';
import { runOpenModel } from './open-model.js';
import type { LoadGenerator, LoadRequest, LoadResult, LoadRunOptions } from './types.js';

export class NativeLoadGenerator implements LoadGenerator {
  readonly name = 'native';

  async unavailableReason(): Promise<string | null> {
    return null;
  }

  async run(baseUrl: string, request: LoadRequest, profile: LoadProfile, options: LoadRunOptions): Promise<LoadResult> {
    if (profile.model === 'closed') return runNativeClosedModel(baseUrl, request, profile, options);
    const { outcomes: _outcomes, ...result } = await runOpenModel(baseUrl, request, profile, options);
    return result;
  }
}
