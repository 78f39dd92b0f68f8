import type { Readable } from 'node:stream';
import { getNumber, readPart10, Tag } from '@lightbox/dicom';
import type { Archive } from '../archive/archive.js';
import { correctDataSet } from '../archive/correct-data-set.js';
import type { StoredInstance } from '../archive/index-store.js';
import { isStructuredReportClass, readStructuredReport } from '../imaging/structured-report/sr-document.js';
import { structuredReportHtml } from '../imaging/structured-report/sr-html.js';
import { structuredReportText } from '../imaging/structured-report/sr-text.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { openBulkDataObject } from './bulk-data-element.js';

/** Non-image objects that render as documents (PS3.18 §8.7.4, Table 8.7.4-1 "Text" and "PDF"/"CDA"). */
export type DocumentKind = 'report' | 'pdf' | 'cda';

const ENCAPSULATED_PDF = '1.2.840.10008.5.1.4.1.1.104.1';
const ENCAPSULATED_CDA = '1.2.840.10008.5.1.4.1.1.104.2';

/** The media types each kind renders as, its default first. */
export const DOCUMENT_MEDIA_TYPES: Record<DocumentKind, readonly string[]> = {
  report: ['text/html', 'text/plain'],
  pdf: ['application/pdf'],
  cda: ['text/xml'],
};

/** The document kind of a stored instance, or undefined for anything else (images, GSPS, RT …). */
export function documentKindOf(instance: StoredInstance): DocumentKind | undefined {
  if (isStructuredReportClass(instance.sopClassUid)) return 'report';
  if (instance.sopClassUid === ENCAPSULATED_PDF) return 'pdf';
  if (instance.sopClassUid === ENCAPSULATED_CDA) return 'cda';
  return undefined;
}

/**
 * Text values longer than this stay unread when a report is parsed: a report is read whole into memory,
 * and no finding runs to megabytes (a value beyond it shows empty).
 */
const REPORT_VALUE_LIMIT = 4 * 1024 * 1024;

/** The body and its Content-Type. */
export interface RenderedDocument {
  type: string;
  body: Buffer | Readable;
  /**
   * The Content-Security-Policy of a document a browser could run as a page (a report as HTML, a CDA as
   * XML that may hold XHTML): sandboxed, no scripts, so that stored content never runs on Lightbox's
   * origin whatever the site-wide policy says.
   */
  securityPolicy?: string;
}

const SANDBOXED = "sandbox; default-src 'none'; style-src 'unsafe-inline'";

async function reportOf(archive: Archive, instance: StoredInstance) {
  const stream = await archive.openObject(instance);
  let object;
  try {
    object = await readPart10(stream, { bulkDataThreshold: REPORT_VALUE_LIMIT });
  } finally {
    stream.destroy();
  }
  // The header names the patient as the archive knows them now (ADT update, merge), as a retrieve would.
  if (instance.correction !== undefined) correctDataSet(object.dataSet, instance.correction);
  return readStructuredReport(object.dataSet);
}

/**
 * The Encapsulated Document (0042,0011) as stored: read with the header when small, else streamed by
 * byte range. Its pad byte goes when Encapsulated Document Length (0042,0015) says it is one (PS3.3
 * §C.24.2.1).
 */
async function encapsulatedDocumentOf(
  archive: Archive,
  instance: StoredInstance,
): Promise<Buffer | Readable> {
  const { object } = await openBulkDataObject(archive, instance);
  const element = object.dataSet.get(Tag.EncapsulatedDocument);
  if (element === undefined || element.encapsulated !== undefined || element.length === 0xffffffff) {
    throw new AppError(
      ErrorCode.NotAcceptable,
      `instance ${instance.sopInstanceUid} holds no Encapsulated Document that can be sent as it is`,
    );
  }
  const stored = element.bytes?.length ?? element.length;
  const declared = getNumber(object.dataSet, Tag.EncapsulatedDocumentLength);
  const length = declared !== undefined && declared >= 0 && declared < stored ? declared : stored;
  if (element.bytes !== undefined) return Buffer.from(element.bytes.subarray(0, length));
  return archive.openObject(instance, { offset: element.offset, length });
}

/**
 * Renders a document-kind instance as `mediaType`, one of {@link DOCUMENT_MEDIA_TYPES} for its kind: a
 * Structured Report as HTML or plain text from its content tree, an encapsulated PDF or CDA as the
 * document it holds.
 */
export async function renderDocument(
  archive: Archive,
  instance: StoredInstance,
  kind: DocumentKind,
  mediaType: string,
): Promise<RenderedDocument> {
  if (kind === 'report') {
    const report = await reportOf(archive, instance);
    return mediaType === 'text/plain'
      ? { type: 'text/plain; charset=utf-8', body: Buffer.from(structuredReportText(report)) }
      : {
          type: 'text/html; charset=utf-8',
          body: Buffer.from(structuredReportHtml(report)),
          securityPolicy: SANDBOXED,
        };
  }
  const body = await encapsulatedDocumentOf(archive, instance);
  return kind === 'pdf'
    ? { type: 'application/pdf', body }
    : { type: 'text/xml', body, securityPolicy: SANDBOXED };
}
