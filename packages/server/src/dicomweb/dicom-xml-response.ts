import { Readable } from 'node:stream';
import { toNativeDicomModel, type DicomJson, type NativeDicomModelOptions } from '@lightbox/dicom';
import type { FastifyReply } from 'fastify';
import { createBoundary, writeMultipart, type MultipartWritePart } from './multipart/index.js';

/**
 * Sends data sets as `multipart/related; type="application/dicom+xml"` (PS3.18 §8.7.4), one Native DICOM
 * Model document (PS3.19 A.1) per part. Each document is written when the client is ready for its part,
 * so only one is held as XML at a time.
 */
export function sendDicomXmlParts(
  reply: FastifyReply,
  dataSets: Iterable<DicomJson>,
  options: NativeDicomModelOptions = {},
): FastifyReply {
  const boundary = createBoundary();
  function* parts(): Generator<MultipartWritePart> {
    for (const dataSet of dataSets) {
      yield { contentType: 'application/dicom+xml', body: Buffer.from(toNativeDicomModel(dataSet, options)) };
    }
  }
  return reply
    .type(`multipart/related; type="application/dicom+xml"; boundary=${boundary}`)
    .send(Readable.from(writeMultipart(parts(), boundary)));
}
