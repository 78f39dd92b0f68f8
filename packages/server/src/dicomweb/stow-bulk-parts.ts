import { AppError, ErrorCode } from '../shared/app-error.js';
import { parseMediaType } from './media-type/index.js';
import type { MultipartPart } from './multipart/index.js';

/** One bulk data part of a metadata and bulk data STOW-RS request, read whole. */
export interface BulkPart {
  /** `type/subtype`, lower case; application/octet-stream when the part has no Content-Type. */
  mediaType: string;
  /** The transfer-syntax parameter of its Content-Type, if any. */
  transferSyntax?: string;
  bytes: Uint8Array;
}

/** Reads a part's body whole, refusing (413, with `detail`) once it passes `max` bytes. */
export async function readWhole(
  body: AsyncIterable<Uint8Array>,
  max: number,
  detail: string,
): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.length;
    if (total > max) throw new AppError(ErrorCode.PayloadTooLarge, detail);
    chunks.push(chunk); // views the parser never writes to again; copied once, below
  }
  return Buffer.concat(chunks, total);
}

/** The media type of a part and its transfer-syntax parameter; octet-stream when it has no Content-Type. */
export function partMediaType(part: MultipartPart): { mediaType: string; transferSyntax?: string } {
  if (part.contentType === undefined) return { mediaType: 'application/octet-stream' };
  const parsed = parseMediaType(part.contentType);
  if (parsed === undefined) return { mediaType: part.contentType.trim().toLowerCase() };
  const transferSyntax = parsed.params.get('transfer-syntax');
  return {
    mediaType: `${parsed.type}/${parsed.subtype}`,
    ...(transferSyntax === undefined ? {} : { transferSyntax }),
  };
}

/** `cid:` URLs (RFC 2392) name a part by its Content-ID without the angle brackets, percent-encoded. */
function cidKey(value: string): string {
  let id = value.trim();
  if (id.startsWith('<') && id.endsWith('>')) id = id.slice(1, -1);
  try {
    id = decodeURIComponent(id);
  } catch {
    // not percent-encoded after all: compared as written
  }
  return `cid:${id}`;
}

/**
 * The bulk data parts of a request, found by the BulkDataURIs that refer to them (PS3.18 §10.5.1.4:
 * each part's Content-Location equals the BulkDataURI). Clients differ in how they write the two, so a
 * reference matches a part when the strings are equal, when they are equal once both are resolved
 * against the request URL (a relative Content-Location and an absolute BulkDataURI, or the converse;
 * percent-encoding and case of scheme and host normalised), or when a `cid:` URI names the part's
 * Content-ID (RFC 2392). Several parts with the same location are the frames of one compressed Pixel
 * Data, in the order they came.
 */
export class BulkParts {
  private readonly byKey = new Map<string, BulkPart[]>();
  private readonly referenced = new Set<BulkPart>();
  private count = 0;

  /** @param bases - the request URL as the client may have seen it (public URL, Host header) */
  constructor(private readonly bases: readonly string[]) {}

  /** Adds a part under its Content-Location and Content-ID; a part with neither can never be referenced. */
  add(part: BulkPart, contentLocation: string | undefined, contentId: string | undefined): void {
    this.count++;
    const keys = new Set<string>();
    if (contentLocation !== undefined && contentLocation !== '') {
      for (const key of this.keysOf(contentLocation)) keys.add(key);
    }
    if (contentId !== undefined && contentId !== '') keys.add(cidKey(contentId));
    for (const key of keys) {
      const list = this.byKey.get(key);
      if (list === undefined) this.byKey.set(key, [part]);
      else list.push(part);
    }
  }

  /** The parts a BulkDataURI refers to, in the order they came; empty when none does. */
  find(uri: string): BulkPart[] {
    for (const key of this.keysOf(uri)) {
      const parts = this.byKey.get(key);
      if (parts !== undefined) {
        for (const part of parts) this.referenced.add(part);
        return parts;
      }
    }
    return [];
  }

  /** How many parts no BulkDataURI looked up so far referred to. */
  unreferenced(): number {
    return this.count - this.referenced.size;
  }

  /** The forms a URI is known by: as written, as a Content-ID, and resolved against each base. */
  private keysOf(uri: string): string[] {
    const written = uri.trim();
    const keys = [`=${written}`];
    if (/^cid:/i.test(written)) keys.push(cidKey(written.slice(4)));
    for (const base of this.bases) {
      try {
        keys.push(`@${new URL(written, base).href}`);
      } catch {
        // not a URI reference: only the exact string can match
      }
    }
    return keys;
  }
}
