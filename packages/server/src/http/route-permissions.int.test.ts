import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorMay, Permission, PERSON_ROLES } from '../security/permissions.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';
import { createUser } from '../test-support/test-users.js';

/** A value for each path parameter that names nothing, so that allowed calls change nothing. */
function concretePath(url: string): string {
  return url
    .replace(/:username/g, 'nobody')
    .replace(/:name/g, 'nowhere')
    .replace(/:id/g, '999999')
    .replace(/:[a-zA-Z]+/g, '1.2.3.999')
    .replace(/\*/g, 'x');
}

for (const dialect of DIALECTS) {
  describe(`the route × role matrix on ${dialect} (issue #4 §2)`, () => {
    let lb: TestLightbox;
    const authorization = new Map<string, string>();

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      // Every role an account can hold; dicom-node is what remote AEs act as (the DIMSE tests).
      for (const role of PERSON_ROLES)
        authorization.set(role, await createUser(lb, `user-${role}`, { roles: [role] }));
    });
    afterAll(async () => {
      await lb?.stop();
    });

    it('covers every route, and every route but the health check, sign-in and the web app needs credentials', async () => {
      const routes = lb.running.http.routeTable.filter((r) => r.method !== 'HEAD');
      expect(routes.length).toBeGreaterThan(30);
      const publicRoutes = routes
        .filter((r) => r.permission === Permission.Public)
        .map((r) => `${r.method} ${r.url}`);
      // The web app's pages and assets are the sign-in page's own files: they hold no patient data.
      expect(publicRoutes.sort()).toEqual([
        'GET /',
        'GET /IHEInvokeImageDisplay',
        'GET /account',
        'GET /api/health',
        'GET /api/sign-in-methods',
        'GET /assets/:file',
        'GET /audit',
        'GET /exceptions',
        'GET /hl7',
        'GET /login',
        'GET /notices',
        'GET /orders',
        'GET /schedule',
        'GET /settings',
        'GET /users',
        'GET /viewer',
        'GET /worklist',
        'POST /api/session',
      ]);
      for (const route of routes.filter((r) => r.permission !== Permission.Public)) {
        const response = await fetch(`${lb.baseUrl}${concretePath(route.url)}`, { method: route.method });
        expect(response.status, `${route.method} ${route.url} without credentials`).toBe(401);
        expect(response.headers.get('www-authenticate')).toContain('Basic');
      }
    });

    it('lets each role through exactly the routes its permissions cover, and answers 403 to the rest', async () => {
      const routes = lb.running.http.routeTable.filter(
        (r) => r.method !== 'HEAD' && r.permission !== Permission.Public,
      );
      for (const role of PERSON_ROLES) {
        for (const route of routes) {
          const response = await fetch(`${lb.baseUrl}${concretePath(route.url)}`, {
            method: route.method,
            headers: { authorization: authorization.get(role)! },
          });
          const label = `${role}: ${route.method} ${route.url} → ${response.status}`;
          if (actorMay({ roles: [role] }, route.permission)) {
            expect([401, 403], label).not.toContain(response.status);
            expect(response.status, label).toBeLessThan(500);
          } else {
            expect(response.status, label).toBe(403);
            // FHIR clients read OperationOutcome resources; everything else gets problem details.
            expect(response.headers.get('content-type'), label).toContain(
              route.url.startsWith('/fhir/') ? 'application/fhir+json' : 'application/problem+json',
            );
          }
        }
      }
    });

    it('records refused requests in the audit trail as security alerts', async () => {
      const response = await fetch(`${lb.baseUrl}/api/users`, {
        headers: { authorization: authorization.get('scheduler')! },
      });
      expect(response.status).toBe(403);
      const events = await fetch(`${lb.baseUrl}/api/audit-events?user=user-scheduler&eventId=110113`, {
        headers: { authorization: lb.authorization },
      });
      const body = (await events.json()) as { detail: string; outcome: string }[];
      expect(body.some((e) => e.outcome === 'failure' && e.detail.includes('GET /api/users refused'))).toBe(
        true,
      );
    });
  });
}
