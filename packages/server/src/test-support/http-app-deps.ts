import type { HttpDeps } from '../http/build-http-app.js';
import { httpSecurityOf } from '../http/build-http-app.js';
import type { TestLightbox } from './test-lightbox.js';

/** What `buildHttpApp` needs, from a running test Lightbox's services, for a second app in a test. */
export function httpAppDepsOf(lb: TestLightbox, overrides: Partial<HttpDeps> = {}): HttpDeps {
  const { services } = lb.running;
  return {
    archive: services.archive,
    dicomNodes: services.dicomNodes,
    local: { aeTitle: 'LIGHTBOX' },
    jobs: services.jobs,
    ris: services.ris,
    reconciliation: services.reconciliation,
    stations: services.stations,
    orderChanges: services.orderChanges,
    hl7Monitor: {
      log: services.hl7Log,
      replay: () => Promise.reject(new Error('no replay in this test app')),
    },
    jobQueued: () => undefined,
    security: httpSecurityOf(services, false),
    logger: services.logger,
    maxStowBytes: 1,
    maxQueryResults: 1,
    health: () => ({ ready: true }),
    ...overrides,
  };
}
