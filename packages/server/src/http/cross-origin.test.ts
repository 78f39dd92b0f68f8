import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { allowCrossOrigin } from './cross-origin.js';

async function appAllowing(origins: string[]) {
  const app = Fastify();
  allowCrossOrigin(app, origins);
  // A route that sets its own Vary, as the web app's compressed assets do.
  app.get('/asset', async (_request, reply) => reply.header('vary', 'Accept-Encoding').send('x'));
  await app.ready();
  return app;
}

describe('allowCrossOrigin', () => {
  it('matches origins as browsers send them: host in lower case, no default port', async () => {
    const app = await appAllowing(['HTTPS://Viewer.Example.org:443']);
    const answer = await app.inject({ url: '/asset', headers: { origin: 'https://viewer.example.org' } });
    expect(answer.headers['access-control-allow-origin']).toBe('https://viewer.example.org');
    const other = await app.inject({ url: '/asset', headers: { origin: 'https://viewer.example.org:8443' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it("keeps Vary: Origin beside a route's own Vary", async () => {
    const app = await appAllowing(['https://viewer.example.org']);
    for (const origin of ['https://viewer.example.org', 'https://elsewhere.example.org']) {
      const answer = await app.inject({ url: '/asset', headers: { origin } });
      expect(answer.headers.vary).toBe('Accept-Encoding, Origin');
    }
  });

  it('adds nothing when no origin is allowed', async () => {
    const app = await appAllowing([]);
    const answer = await app.inject({ url: '/asset', headers: { origin: 'https://viewer.example.org' } });
    expect(answer.headers.vary).toBe('Accept-Encoding');
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  });
});
