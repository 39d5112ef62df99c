import { defineScenario } from './define.js';

/**
 * SIGTERM under steady open-model load, as a rollout meets it: arrivals go on for
 * `endpointRemovalDelayMs` after SIGTERM (the time an endpoints update takes to reach a load
 * balancer), then the endpoint leaves the generator's target list. Three cells: no graceful shutdown;
 * graceful shutdown without a drain (the listener closes at once, so requests still arriving are
 * refused); and the document's recipe, a drain longer than the removal delay (preStop sleep's role)
 * followed by `Shutdown`. Failed requests are counted among those exposed (in flight at SIGTERM or
 * sent after it); zero counts as "drops no request" only with a 95% upper bound 3/N below the
 * catalog's threshold. Slow requests (200 ms), so some are in flight at SIGTERM.
 */
export default defineScenario({
  name: 'shutdown',
  description: 'Failed requests while load keeps arriving through SIGTERM: no graceful shutdown vs graceful vs drain + graceful',
  claims: ['graceful-shutdown'],
  kind: 'shutdown',
  targets: ['docker'],
  default: true,
  matrix: { graceful: [false, true], drainMs: [0, 2000], workload: ['slow'], cpuLimit: [1] },
  exclude: [{ graceful: [false], drainMs: [2000] }],
  endpointRemovalDelayMs: 1000,
  // SIGTERM half-way through the window, then 1 s of arrivals: about 100 sent after SIGTERM and 20 in
  // flight at it per repeat, so 3 repeats expose 300+ requests (3/N below 1%).
  load: { model: 'open', ratePerSec: 100, connections: 64, warmupMs: 500, durationMs: 4000 },
  repeats: 5,
  profiles: { smoke: { repeats: 3 }, full: { repeats: 10 }, nightly: { repeats: 3 } },
});
