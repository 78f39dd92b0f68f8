import { lookupTransferSyntax, TransferSyntaxUid } from '@lightbox/dicom';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { parseAccept, type AcceptEntry } from './media-type/index.js';
import { canonicalPixelMediaType, pixelMediaTypeOf } from './pixel-media-types.js';
import { canDecodeFrames } from '../imaging/decode-stored-frame.js';

/** How instances go out: in a multipart/related body (or one bare part), in this transfer syntax. */
export interface InstanceRepresentation {
  multipart: boolean;
  /** A transfer syntax UID, or '*' for as stored. */
  transferSyntax: string;
}

function isMultipartOf(entry: AcceptEntry, partType: string): boolean {
  if (entry.type !== 'multipart' || (entry.subtype !== 'related' && entry.subtype !== '*')) return false;
  const type = entry.params.get('type');
  return type === undefined || type.toLowerCase() === partType;
}

/**
 * Chooses how to send instances from the Accept header (PS3.18 §8.7.3): `multipart/related;
 * type="application/dicom"` with a transfer-syntax parameter ('*' = as stored), or the default
 * Explicit VR Little Endian when the parameter is absent (§8.7.3.5.2). `canServe` says whether every
 * selected instance can be produced in a syntax; entries that cannot be honoured are passed over, and
 * none left is a 406.
 */
export function negotiateInstances(
  accept: string | undefined,
  canServe: (transferSyntax: string) => boolean,
  single: boolean,
): InstanceRepresentation {
  for (const entry of parseAccept(accept)) {
    let multipart: boolean;
    if ((entry.type === '*' && entry.subtype === '*') || isMultipartOf(entry, 'application/dicom'))
      multipart = true;
    else if (single && entry.type === 'application' && entry.subtype === 'dicom') multipart = false;
    else continue;
    const transferSyntax = entry.params.get('transfer-syntax') ?? TransferSyntaxUid.ExplicitVRLittleEndian;
    if (canServe(transferSyntax)) return { multipart, transferSyntax };
  }
  throw new AppError(
    ErrorCode.NotAcceptable,
    'none of the accepted media types can be produced; ask for multipart/related; type="application/dicom" (transfer-syntax=* sends instances as stored)',
  );
}

function isWildcard(entry: AcceptEntry): boolean {
  return entry.type === '*' && entry.subtype === '*';
}

/**
 * Whether a study, series or instance request asks for its bulk data instead of its instances (PS3.18
 * Table 10.4.4-1, note: `multipart/related; type="application/octet-stream"` on an Instance Resource is
 * kept for historical reasons and equals the Bulkdata resource): the list names that type and nothing
 * `application/dicom` answers. Decided on the header alone, before anything is read: an
 * `application/dicom` entry that cannot be produced still counts as asking for instances.
 */
export function asksForBulkData(accept: string | undefined, single: boolean): boolean {
  const entries = parseAccept(accept);
  const instances = entries.some(
    (entry) =>
      isWildcard(entry) ||
      isMultipartOf(entry, 'application/dicom') ||
      (single && entry.type === 'application' && entry.subtype === 'dicom'),
  );
  return (
    !instances && entries.some((e) => e.params.has('type') && isMultipartOf(e, 'application/octet-stream'))
  );
}

/**
 * Whether a multipart body of bulk data could be accepted at all: `*\/*` or some `multipart/related`
 * (or `multipart/*`). Checked before anything is read, so that a plainly unacceptable request (e.g.
 * `application/dicom+json`) is answered 406 without touching the archive.
 */
export function acceptsMultipart(accept: string | undefined): boolean {
  return parseAccept(accept).some(
    (e) => isWildcard(e) || (e.type === 'multipart' && (e.subtype === 'related' || e.subtype === '*')),
  );
}

/**
 * Whether bulk data other than encapsulated pixel data can go out: as `application/octet-stream`,
 * little endian (PS3.18 §8.7.3.3). The list is `*\/*`, or names `multipart/related` with that type or
 * none, without a transfer-syntax or with `*` or Explicit VR Little Endian.
 */
export function acceptsOctetStream(accept: string | undefined): boolean {
  return parseAccept(accept).some((entry) => {
    if (isWildcard(entry)) return true;
    if (!isMultipartOf(entry, 'application/octet-stream')) return false;
    const syntax = entry.params.get('transfer-syntax');
    return syntax === undefined || syntax === '*' || syntax === TransferSyntaxUid.ExplicitVRLittleEndian;
  });
}

/**
 * Throws NotAcceptable unless {@link acceptsOctetStream}: PS3.18 §8.7.3 leaves a 406 as the only answer
 * when no accepted media type can carry the value.
 */
export function requireOctetStream(accept: string | undefined, what: string): void {
  if (acceptsOctetStream(accept)) return;
  throw new AppError(
    ErrorCode.NotAcceptable,
    `${what}; accept multipart/related; type="application/octet-stream"`,
  );
}

/** The media type of a frame in a transfer syntax: its image type when compressed, else octet-stream. */
export function frameMediaType(transferSyntax: string): string {
  return pixelMediaTypeOf(transferSyntax) ?? 'application/octet-stream';
}

/** How frames go out: in this transfer syntax, in a multipart/related body or as one bare part. */
export interface FrameRepresentation {
  transferSyntax: string;
  multipart: boolean;
}

/**
 * Chooses how to send frames (PS3.18 §8.7.3.3): uncompressed `application/octet-stream` (Explicit VR
 * Little Endian by default), or the stored compressed bitstream when its media type (or
 * `transfer-syntax=*`) is accepted. `canDecode` says whether a stored compressed frame can be decoded.
 * A `single` resource (one frame) may also go out as a bare part of such a type (§8.7.3: a single-part
 * media type is acceptable for a single item); for several, single-part types are passed over.
 */
export function negotiateFrames(
  accept: string | undefined,
  stored: string,
  canDecode: boolean,
  single = false,
): FrameRepresentation {
  const storedType = frameMediaType(stored);
  const syntax = lookupTransferSyntax(stored);
  // Pixel data in fragments (whatever its media type) is decoded or sent as stored, never read as native.
  const native = syntax === undefined ? storedType === 'application/octet-stream' : !syntax.encapsulated;
  // `*/*` takes the stored form when it cannot be decoded (video) or when only a lossy form exists:
  // PS3.18 §8.7.3 keeps the lossy compressed form as the default then, and decoding it gains nothing.
  const storedForAnything =
    !native && storedType !== 'application/octet-stream' && (!canDecode || syntax?.lossy === true);
  for (const entry of parseAccept(accept)) {
    const wildcard = entry.type === '*' && entry.subtype === '*';
    if (wildcard && storedForAnything) return { transferSyntax: stored, multipart: true };
    const multipart =
      wildcard || (entry.type === 'multipart' && (entry.subtype === 'related' || entry.subtype === '*'));
    const bare = single && !multipart && entry.type !== '*' && entry.subtype !== '*';
    if (!multipart && !bare) continue;
    const requested = wildcard
      ? 'application/octet-stream'
      : bare
        ? `${entry.type}/${entry.subtype}`
        : (entry.params.get('type')?.toLowerCase() ?? 'application/octet-stream');
    const partType = canonicalPixelMediaType(requested);
    const asked = entry.params.get('transfer-syntax');
    // A bare body is of the type asked for: the stored bitstream only when that is its type.
    if ((asked === '*' || asked === stored) && (multipart || partType === storedType))
      return { transferSyntax: stored, multipart };
    if (partType === 'application/octet-stream') {
      const wanted = asked ?? TransferSyntaxUid.ExplicitVRLittleEndian;
      if (wanted === TransferSyntaxUid.ExplicitVRLittleEndian && (native || canDecode))
        return { transferSyntax: wanted, multipart };
      continue;
    }
    if (partType === storedType && asked === undefined) return { transferSyntax: stored, multipart };
  }
  throw new AppError(
    ErrorCode.NotAcceptable,
    `frames are stored as ${stored}; accept multipart/related; type="${storedType}" or transfer-syntax=*`,
  );
}

/** The syntax to send stored pixel data in: as {@link negotiateFrames}, decoding only what can be decoded. */
export function negotiatePixelData(accept: string | undefined, stored: string, decodable: boolean): string {
  return negotiateFrames(accept, stored, decodable && canDecodeFrames(stored)).transferSyntax;
}
