import { randomBytes } from 'node:crypto';

/** A multipart/related body with one `application/dicom` part per object (STOW-RS request). */
export function multipartBody(parts: Array<{ bytes: Uint8Array; contentType?: string }>): {
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
} {
  const boundary = `test-${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Type: ${part.contentType ?? 'application/dicom'}\r\n\r\n`),
    );
    chunks.push(Buffer.from(part.bytes));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    body: new Uint8Array(Buffer.concat(chunks)),
    contentType: `multipart/related; type="application/dicom"; boundary=${boundary}`,
  };
}

/** Stores objects with one STOW-RS request to `/studies` of a DICOMweb root; the response's status. */
export async function stowObjects(
  server: { dicomweb: string; authorization: string },
  objects: readonly Uint8Array[],
): Promise<number> {
  const { body, contentType } = multipartBody(objects.map((bytes) => ({ bytes })));
  const response = await fetch(`${server.dicomweb}/studies`, {
    method: 'POST',
    headers: {
      authorization: server.authorization,
      'content-type': contentType,
      accept: 'application/dicom+json',
    },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

/**
 * Splits a multipart/related response the simple way (whole body in memory, split on the delimiter),
 * independently of the server's streaming parser.
 */
export function splitMultipart(
  body: Buffer,
  contentType: string,
): Array<{ headers: Record<string, string>; body: Buffer }> {
  const match = /boundary="?([^";]+)"?/i.exec(contentType);
  if (match === null) throw new Error(`no boundary in ${contentType}`);
  const delimiter = Buffer.from(`--${match[1]}`);
  const parts: Array<{ headers: Record<string, string>; body: Buffer }> = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), start);
    if (next < 0) throw new Error('unterminated multipart body');
    const part = body.subarray(start + 2, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers: Record<string, string> = {};
    for (const line of part.subarray(0, headerEnd).toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    parts.push({ headers, body: part.subarray(headerEnd + 4) });
    at = next + 2;
  }
  return parts;
}
