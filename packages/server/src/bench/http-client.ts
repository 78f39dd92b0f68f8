import { randomBytes } from 'node:crypto';
import http from 'node:http';

/** One answered request: status, headers, and the body (kept only when asked for), with timing. */
export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  bytes: number;
  body?: Buffer;
  /** Milliseconds from sending the request to the last byte of the answer. */
  ms: number;
}

/** A keep-alive HTTP client for one server (node:http with a pooled agent). */
export class HttpClient {
  private readonly agent: http.Agent;
  private readonly base: URL;

  constructor(
    baseUrl: string,
    private readonly defaultHeaders: Record<string, string> = {},
    maxSockets = 16,
  ) {
    this.base = new URL(baseUrl);
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  /** Sends a request; the body is kept when `keepBody`, else only counted. Rejects on network errors. */
  request(
    method: string,
    pathAndQuery: string,
    options: { headers?: Record<string, string>; body?: Uint8Array; keepBody?: boolean } = {},
  ): Promise<HttpResult> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...this.defaultHeaders, ...options.headers };
      if (options.body !== undefined) headers['content-length'] = String(options.body.length);
      const request = http.request(
        {
          host: this.base.hostname,
          port: this.base.port,
          path: `${this.base.pathname.replace(/\/$/, '')}${pathAndQuery}`,
          method,
          headers,
          agent: this.agent,
        },
        (response) => {
          const chunks: Buffer[] = [];
          let bytes = 0;
          response.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (options.keepBody) chunks.push(chunk);
          });
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              bytes,
              ...(options.keepBody ? { body: Buffer.concat(chunks) } : {}),
              ms: performance.now() - started,
            }),
          );
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(options.body);
    });
  }

  /** GET that fails unless the status is 200 (the body is kept for the error message). */
  async getOk(pathAndQuery: string, headers: Record<string, string> = {}): Promise<HttpResult> {
    const result = await this.request('GET', pathAndQuery, { headers, keepBody: true });
    if (result.status !== 200) {
      throw new Error(`GET ${pathAndQuery}: ${result.status} ${result.body?.toString('utf8').slice(0, 300)}`);
    }
    return result;
  }

  /** Closes the pooled connections. */
  close(): void {
    this.agent.destroy();
  }
}

/** A STOW-RS request body: one `application/dicom` part per object (PS3.18 §10.5.1). */
export interface StowBody {
  body: Buffer;
  contentType: string;
  /** Bytes of DICOM objects carried (not counting the multipart framing). */
  objectBytes: number;
  count: number;
}

/** Frames DICOM objects as a `multipart/related; type="application/dicom"` body. */
export function stowBody(objects: readonly Uint8Array[]): StowBody {
  const boundary = `bench-${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  let objectBytes = 0;
  for (const object of objects) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`, 'latin1'));
    chunks.push(Buffer.from(object.buffer, object.byteOffset, object.byteLength));
    chunks.push(Buffer.from('\r\n', 'latin1'));
    objectBytes += object.length;
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return {
    body: Buffer.concat(chunks),
    contentType: `multipart/related; type="application/dicom"; boundary=${boundary}`,
    objectBytes,
    count: objects.length,
  };
}

/** Basic credentials as an Authorization header value. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
