import { appFetch } from '../session/session-client';
import type { UserHangingProtocol } from './user-settings';

/**
 * The department's hanging protocols (`/api/hanging-protocols`): kept by the administrator for everyone,
 * tried after a user's own and before the built-in ones. The same shape as a user's own, checked by the
 * server with the same schema.
 */
export interface DepartmentProtocols {
  protocols: UserHangingProtocol[];
  /** The version read (the server's ETag), sent back on saving so that no one's change is lost. */
  etag: string;
}

const URL = '/api/hanging-protocols';

async function protocolsOf(response: Response): Promise<DepartmentProtocols> {
  return {
    protocols: (await response.json()) as UserHangingProtocol[],
    etag: response.headers.get('etag') ?? '*',
  };
}

/** The department's protocols as stored now (none until the administrator saves some). */
export async function loadDepartmentProtocols(signal?: AbortSignal): Promise<DepartmentProtocols> {
  // Always the stored list: a protocol the administrator just saved applies to the next study opened.
  return protocolsOf(await appFetch(URL, { signal, cache: 'no-store' }));
}

/**
 * Replaces the department's protocols, if they are still the version read (else the server answers 412:
 * another administrator saved since). Answers them at their new version.
 */
export async function saveDepartmentProtocols(
  protocols: UserHangingProtocol[],
  etag: string,
): Promise<DepartmentProtocols> {
  return protocolsOf(
    await appFetch(URL, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'if-match': etag },
      body: JSON.stringify(protocols),
    }),
  );
}
