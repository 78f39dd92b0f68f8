import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';
import { basicAuth, createUser } from '../test-support/test-users.js';

const NEW_PASSWORD = 'a-different-long-passphrase';

/** The status `GET /api/me` answers on a node for a Basic credential. */
async function statusOn(node: TestLightbox, authorization: string): Promise<number> {
  const response = await fetch(`${node.baseUrl}/api/me`, { headers: { authorization } });
  await response.arrayBuffer();
  return response.status;
}

/** Polls until the node answers `status` (a change on another node arrives by NOTIFY), at most 5 s. */
async function untilStatus(node: TestLightbox, authorization: string, status: number): Promise<number> {
  const deadline = Date.now() + 5_000;
  let last = await statusOn(node, authorization);
  while (last !== status && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await statusOn(node, authorization);
  }
  return last;
}

// Several nodes share one PostgreSQL database (DESIGN: stateless nodes). Each node caches a verified
// password for a minute; a change made through one node must end the cached one on every node at once.
describe('cached credentials on two nodes of one PostgreSQL database', () => {
  let a: TestLightbox;
  let b: TestLightbox;

  beforeAll(async () => {
    // The nodes of one database share its master key (docs/security.md).
    const masterKey = randomBytes(32).toString('base64');
    a = await startTestLightbox('postgres', { LIGHTBOX_MASTER_KEY: masterKey });
    b = await startTestLightbox('postgres', {
      LIGHTBOX_MASTER_KEY: masterKey,
      LIGHTBOX_DATABASE_URL: a.databaseUrl,
    });
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  it('a password changed on one node stops working on the other at once, the new one works', async () => {
    const old = await createUser(a, 'nodes-reader', { roles: ['radiologist'] });
    expect(await statusOn(b, old)).toBe(200); // verified and cached on b
    expect(await statusOn(b, old)).toBe(200);
    const change = await fetch(`${a.baseUrl}/api/users/nodes-reader`, {
      method: 'PUT',
      headers: { authorization: a.authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ password: NEW_PASSWORD }),
    });
    expect(change.status).toBe(200);
    expect(await untilStatus(b, old, 401)).toBe(401);
    expect(await statusOn(b, basicAuth('nodes-reader', NEW_PASSWORD))).toBe(200);
  });

  it('a user disabled on one node is refused by the other at once', async () => {
    const credential = await createUser(a, 'nodes-tech', { roles: ['technologist'] });
    expect(await statusOn(b, credential)).toBe(200);
    const disable = await fetch(`${a.baseUrl}/api/users/nodes-tech`, {
      method: 'PUT',
      headers: { authorization: a.authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ disabled: true }),
    });
    expect(disable.status).toBe(200);
    expect(await untilStatus(b, credential, 401)).toBe(401);
  });

  it('roles changed on one node apply on the other at once', async () => {
    const credential = await createUser(a, 'nodes-scheduler', { roles: ['radiologist'] });
    const studies = async () => {
      const response = await fetch(`${b.dicomweb}/studies?limit=1`, {
        headers: { authorization: credential },
      });
      await response.arrayBuffer();
      return response.status;
    };
    expect([200, 204]).toContain(await studies());
    await createUser(a, 'nodes-scheduler', { roles: ['scheduler'] });
    const deadline = Date.now() + 5_000;
    let status = await studies();
    while (status !== 403 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = await studies();
    }
    expect(status).toBe(403);
  });
});
