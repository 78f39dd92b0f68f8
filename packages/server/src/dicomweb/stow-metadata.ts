import {
  DataSet,
  DicomJsonError,
  encodePart10,
  fromDicomJson,
  getString,
  isBulkReference,
  isStorableUid,
  Tag,
  tagToString,
  TransferSyntaxUid,
  type DicomJson,
} from '@lightbox/dicom';
import { AppError, ErrorCode, isAppError } from '../shared/app-error.js';
import { checkDicomJsonShape } from './dicom-json-shape.js';
import type { BulkPart } from './stow-bulk-parts.js';
import { bulkDataKind } from './stow-media-types.js';
import { pixelDataFromParts, requireLittleEndian } from './stow-pixel-data.js';

/** Where an instance's bulk data comes from. */
export interface BulkDataSource {
  /** The parts a BulkDataURI refers to, in the order they came; empty when none does. */
  find(uri: string): BulkPart[];
  /** The transfer-syntax parameter of the metadata part (dcm4che's stowrs puts it there), if any. */
  metadataTransferSyntax?: string;
}

/** An instance ready for the archive, or why it cannot be. */
export type AssembledInstance =
  | { ok: true; sopClassUid: string; sopInstanceUid: string; part10: () => Generator<Uint8Array> }
  | { ok: false; error: AppError; sopClassUid?: string; sopInstanceUid?: string };

const PIXEL_DATA_KEY = '7FE00010';
const MISSING_PART_HINT = 'no bulk data part has its Content-Location (or Content-ID)';

/** The first string value of an attribute of raw JSON, for naming an instance that failed. */
function rawUid(json: unknown, key: string): string | undefined {
  if (json === null || typeof json !== 'object') return undefined;
  const value = (json as Record<string, { Value?: unknown } | undefined>)[key]?.Value;
  const first = Array.isArray(value) ? (value[0] as unknown) : undefined;
  return typeof first === 'string' && isStorableUid(first.trim()) ? first.trim() : undefined;
}

/**
 * Bytes of a BulkDataURI other than the Pixel Data's: exactly one part, whose values are stored as sent:
 * little endian when uncompressed, so one named big endian is refused as Pixel Data is (C122).
 */
function singlePart(source: BulkDataSource, uri: string, tag: number): BulkPart {
  const parts = source.find(uri);
  if (parts.length === 0) {
    throw new AppError(
      ErrorCode.CannotUnderstand,
      `the BulkDataURI of ${tagToString(tag)}: ${MISSING_PART_HINT}`,
    );
  }
  if (parts.length > 1) {
    throw new AppError(
      ErrorCode.CannotUnderstand,
      `${parts.length} bulk data parts share the location of the BulkDataURI of ${tagToString(tag)}; ` +
        'only compressed Pixel Data comes in several parts (one per frame)',
    );
  }
  const part = parts[0]!;
  if (bulkDataKind(part.mediaType, part.transferSyntax).kind === 'native')
    requireLittleEndian(part.transferSyntax ?? source.metadataTransferSyntax, tagToString(tag));
  return part;
}

/** An Encapsulated Document (PS3.3 C.24.2) is described by its MIME type and its unpadded length. */
function describeDocument(dataSet: DataSet, mediaType: string | undefined): void {
  const document = dataSet.get(Tag.EncapsulatedDocument)?.bytes;
  if (document === undefined) return;
  if (!dataSet.has(Tag.MIMETypeOfEncapsulatedDocument) && mediaType !== undefined) {
    const bytes = new TextEncoder().encode(mediaType);
    dataSet.set({
      tag: Tag.MIMETypeOfEncapsulatedDocument,
      vr: 'LO',
      length: bytes.length,
      offset: -1,
      bytes,
    });
  }
  if (!dataSet.has(Tag.EncapsulatedDocumentLength)) {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, document.length, true);
    dataSet.set({ tag: Tag.EncapsulatedDocumentLength, vr: 'UL', length: 4, offset: -1, bytes });
  }
}

function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  // DicomJsonError messages name tags and VRs; anything else (a bad base64, a BigInt of text) is
  // described generically, as its message may quote a value.
  const detail = error instanceof DicomJsonError ? error.message : 'a value could not be read';
  return new AppError(ErrorCode.CannotUnderstand, `invalid DICOM JSON metadata: ${detail}`);
}

/**
 * Turns one instance of a metadata and bulk data STOW-RS request (PS3.18 §10.5.1.4) into a Part 10
 * object: the DICOM JSON (Annex F) becomes a Little Endian data set whose BulkDataURIs are replaced by
 * the bytes of the parts they refer to, the Pixel Data is built as `pixelDataFromParts` says, and the
 * File Meta Information is generated (SOP Class and Instance from the data set, the transfer syntax of
 * the pixel data, Lightbox's implementation UID); group 0002 attributes in the metadata contribute only
 * what `buildFileMeta` carries over (Source AE Title and later). Never throws: a refusal names the
 * instance where the metadata does — C000 for unreadable metadata or a missing part, A900 for missing
 * SOP UIDs or an Image Pixel Description that contradicts the bulk data.
 */
export function assembleInstance(json: unknown, source: BulkDataSource): AssembledInstance {
  const named = { sopClassUid: rawUid(json, '00080016'), sopInstanceUid: rawUid(json, '00080018') };
  try {
    checkDicomJsonShape(json);
    const body: DicomJson = {};
    const meta: DicomJson = {};
    for (const [key, attribute] of Object.entries(json)) {
      if (key.startsWith('0002')) meta[key] = attribute;
      else if (!(key === PIXEL_DATA_KEY && attribute.BulkDataURI !== undefined)) body[key] = attribute;
    }
    let documentType: string | undefined;
    const dataSet = fromDicomJson(body, {
      resolveBulkData: (uri, tag) => {
        const part = singlePart(source, uri, tag);
        if (tag === Tag.EncapsulatedDocument && part.mediaType !== 'application/octet-stream')
          documentType = part.mediaType;
        return part.bytes;
      },
    });
    const sopClassUid = getString(dataSet, Tag.SOPClassUID);
    const sopInstanceUid = getString(dataSet, Tag.SOPInstanceUID);
    if (
      sopClassUid === undefined ||
      !isStorableUid(sopClassUid) ||
      sopInstanceUid === undefined ||
      !isStorableUid(sopInstanceUid)
    ) {
      return {
        ok: false,
        error: new AppError(
          ErrorCode.DataSetMismatch,
          'the metadata lacks a valid SOPClassUID (0008,0016) or SOPInstanceUID (0008,0018)',
        ),
        ...named,
      };
    }
    describeDocument(dataSet, documentType);
    let transferSyntaxUid: string = TransferSyntaxUid.ExplicitVRLittleEndian;
    const pixelJson = json[PIXEL_DATA_KEY];
    if (pixelJson?.BulkDataURI !== undefined) {
      const parts = source.find(pixelJson.BulkDataURI);
      if (parts.length === 0) {
        throw new AppError(
          ErrorCode.CannotUnderstand,
          `the BulkDataURI of the Pixel Data: ${MISSING_PART_HINT}`,
        );
      }
      const pixelData = pixelDataFromParts(dataSet, parts, pixelJson.vr, source.metadataTransferSyntax);
      dataSet.set(pixelData.element);
      transferSyntaxUid = pixelData.transferSyntaxUid;
    }
    const sourceMeta = Object.keys(meta).length > 0 ? fromDicomJson(meta) : new DataSet(true);
    function* part10(): Generator<Uint8Array> {
      for (const chunk of encodePart10(dataSet, { transferSyntaxUid, sourceMeta })) {
        if (isBulkReference(chunk)) throw new Error('every value of an assembled instance is in memory');
        yield chunk;
      }
    }
    return { ok: true, sopClassUid, sopInstanceUid, part10 };
  } catch (error) {
    return { ok: false, error: toAppError(error), ...named };
  }
}
