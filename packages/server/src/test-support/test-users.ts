import type { TestLightbox } from './test-lightbox.js';

/** The password of users made by {@link createUser}: long enough for the password policy. */
export const TEST_USER_PASSWORD = 'correct-horse-battery-staple';

/** `Authorization` header for HTTP Basic. */
export function basicAuth(username: string, password = TEST_USER_PASSWORD): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** Creates (or changes) a user through the API as the admin; fails the test when refused. */
export async function createUser(
  lb: TestLightbox,
  username: string,
  fields: { roles: string[]; providerIds?: string[]; institutions?: string[]; password?: string },
): Promise<string> {
  const response = await fetch(`${lb.baseUrl}/api/users/${username}`, {
    method: 'PUT',
    headers: { authorization: lb.authorization, 'content-type': 'application/json' },
    body: JSON.stringify({ password: TEST_USER_PASSWORD, ...fields }),
  });
  if (response.status !== 201 && response.status !== 200) {
    throw new Error(`creating user ${username}: ${response.status} ${await response.text()}`);
  }
  return basicAuth(username, fields.password ?? TEST_USER_PASSWORD);
}
