import { lookupTransferSyntax } from '@lightbox/dicom';
import type { Archive } from '../archive/archive.js';
import type { StoredInstance } from '../archive/index-store.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { bulkDataPathOf, iconDecoding, readItemElements, type BulkNegotiation } from './bulk-data-element.js';
import { frameMediaType, negotiatePixelData, requireOctetStream } from './retrieve-negotiation.js';

const PIXEL_DATA = '7FE00010';
const OCTET_STREAM = 'application/octet-stream';

/** One bulk data value of an instance, by its BulkDataURI, as {@link bulkDataPart} will find it. */
export interface StoredValue {
  /** The relative BulkDataURI, as the metadata holds it. */
  uri: string;
  path: string[];
  /** Encapsulated pixel data, whose media type is negotiated as for frames; else uncompressed. */
  encapsulated: boolean;
  /** Why encapsulated pixel data (an icon's) cannot be decoded here: then it only goes out as stored. */
  notDecoded?: string;
}

/** An instance whose bulk data goes out, its values in metadata order. */
export interface InstanceBulkData {
  instance: StoredInstance;
  values: StoredValue[];
}

/** What goes out, decided before the body starts: a 406 cannot follow a 200. */
export interface BulkDataPlan {
  /** The instances and values sent (icons that cannot go out in an accepted type are left out). */
  scope: InstanceBulkData[];
  negotiation: BulkNegotiation;
  /** The `type` of the body: the media type of its root, first, part (RFC 2387 §3.1). */
  rootType: string;
  /** Why each icon left out could not be decoded. */
  leftOut: string[];
}

/** The element path of a relative BulkDataURI (what follows `/bulkdata/`). */
function pathOf(uri: string): string[] {
  return bulkDataPathOf(uri.slice(uri.indexOf('/bulkdata/') + '/bulkdata/'.length));
}

function isPixelData(path: readonly string[]): boolean {
  return path[path.length - 1]!.toUpperCase() === PIXEL_DATA;
}

/**
 * The values of an instance, each by its element's own encoding as {@link bulkDataPart} decides, not by
 * the object's syntax alone. In an encapsulated syntax: its Pixel Data, as its frame index says; an
 * icon's (Pixel Data in an item), which PS3.5 §A.4 encapsulates alike but some writers leave native
 * (defined length), as its element says, with whether its item allows decoding it. For that the object
 * is read only as far as the icon's sequence, before the body starts. Any other value is uncompressed.
 */
export async function storedValues(
  archive: Archive,
  instance: StoredInstance,
  uris: readonly string[],
): Promise<StoredValue[]> {
  const values = uris.map((uri): StoredValue => ({ uri, path: pathOf(uri), encapsulated: false }));
  if (lookupTransferSyntax(instance.transferSyntaxUid)?.encapsulated !== true) return values;
  const own = instance.frameIndex?.encapsulated !== false;
  for (const value of values) value.encapsulated = value.path.length === 1 && isPixelData(value.path) && own;
  const icons = values.filter((value) => value.path.length > 1 && isPixelData(value.path));
  if (icons.length === 0) return values;
  const found = await readItemElements(
    archive,
    instance,
    icons.map((icon) => icon.path),
  );
  icons.forEach((icon, i) => {
    const element = found[i];
    if (element?.element.encapsulated === undefined) return;
    icon.encapsulated = true;
    const decoding = iconDecoding(element.element, element.holder);
    if (typeof decoding === 'string') icon.notDecoded = decoding;
  });
  return values;
}

/** Negotiates the syntax of encapsulated pixel data once per stored syntax and decodability. */
class PixelTargets {
  private readonly targets = new Map<string, string>();

  constructor(private readonly accept: string | undefined) {}

  /** As for frames (its own media type, or decoded): throws NotAcceptable. */
  negotiate(stored: string, decodable: boolean): string {
    const key = `${stored} ${decodable}`;
    let target = this.targets.get(key);
    if (target === undefined) {
      target = negotiatePixelData(this.accept, stored, decodable);
      this.targets.set(key, target);
    }
    return target;
  }

  /** As negotiated, once the body has begun; pixel data not negotiated (not expected) goes as stored. */
  negotiated(stored: string, decodable: boolean): string {
    return this.targets.get(`${stored} ${decodable}`) ?? stored;
  }
}

/**
 * Whether encapsulated pixel data can go out in an accepted type. An icon that cannot be decoded may
 * not (its stored type not accepted): it is left out, the rest going out whole. Anything else not
 * acceptable throws NotAcceptable, for the whole answer, as its syntax is not.
 */
function sendable(targets: PixelTargets, stored: string, value: StoredValue): boolean {
  if (value.notDecoded === undefined) {
    targets.negotiate(stored, true);
    return true;
  }
  try {
    targets.negotiate(stored, false);
    return true;
  } catch {
    targets.negotiate(stored, true);
    return false;
  }
}

/** The media type a value goes out as. */
function partType(stored: string, value: StoredValue, { pixelTarget }: BulkNegotiation): string {
  if (!value.encapsulated) return OCTET_STREAM;
  return pixelTarget(stored, value.notDecoded === undefined) === stored
    ? frameMediaType(stored)
    : OCTET_STREAM;
}

/**
 * Negotiates every part before the first byte is sent: bulk data other than encapsulated pixel data
 * needs `application/octet-stream`; the pixel data of each compressed transfer syntax in scope goes out as
 * for `/frames` (its own media type, or decoded), an icon that cannot be decoded as stored or not at all
 * ({@link sendable}). Throws NotAcceptable when anything else cannot, or nothing is left.
 */
export function planBulkData(accept: string | undefined, scope: readonly InstanceBulkData[]): BulkDataPlan {
  const targets = new PixelTargets(accept);
  const leftOut: string[] = [];
  let octetStream = false;
  const sent: InstanceBulkData[] = [];
  for (const { instance, values } of scope) {
    const kept: StoredValue[] = [];
    for (const value of values) {
      if (!value.encapsulated) octetStream = true;
      else if (!sendable(targets, instance.transferSyntaxUid, value)) {
        leftOut.push(value.notDecoded!);
        continue;
      }
      kept.push(value);
    }
    if (kept.length > 0) sent.push({ instance, values: kept });
  }
  if (octetStream)
    requireOctetStream(accept, 'this bulk data includes values other than compressed pixel data');
  const first = sent[0];
  if (first === undefined)
    throw new AppError(
      ErrorCode.NotAcceptable,
      `no value can go out in an accepted media type: ${leftOut[0]}`,
    );
  const negotiation: BulkNegotiation = {
    pixelTarget: (stored, decodable) => targets.negotiated(stored, decodable),
    // Checked above for every uncompressed value in scope.
    requireOctetStream: () => {},
  };
  const rootType = partType(first.instance.transferSyntaxUid, first.values[0]!, negotiation);
  return { scope: sent, negotiation, rootType, leftOut };
}
