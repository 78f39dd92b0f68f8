import type { FastifyRequest } from 'fastify';

/**
 * The absolute URL of the DICOMweb root for RetrieveURL and BulkDataURI: the configured public URL
 * (behind a proxy), else the scheme and Host the client used.
 */
export function dicomwebBaseUrl(request: FastifyRequest, publicUrl: string | undefined): string {
  const origin = publicUrl?.replace(/\/+$/, '') ?? `${request.protocol}://${request.host}`;
  return `${origin}/dicomweb`;
}
