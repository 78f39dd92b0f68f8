import { createRequire } from 'node:module';
import { api } from 'dicomweb-client';

/** One element of DICOM JSON (PS3.18 Annex F) as the client hands it back. */
export interface DicomJsonValue {
  vr: string;
  Value?: unknown[];
  BulkDataURI?: string;
  InlineBinary?: string;
}

/** A DICOM JSON data set: elements keyed by 8-hex-digit tags. */
export type DicomJsonDataSet = Record<string, DicomJsonValue>;

/** A media type the client asks for, optionally with the transfer syntax it should carry. */
export interface ClientMediaType {
  mediaType: string;
  transferSyntaxUID?: string;
}

/** A body part as dicomweb-client returns it: the bytes, with the part's headers when it parsed them. */
export type ClientPart = ArrayBuffer & { contentType?: string | null; transferSyntaxUID?: string | null };

interface Instance {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  sopInstanceUID: string;
}

/**
 * The part of dicomweb-client's `DICOMwebClient` the tests use, with the types it really has at run
 * time (its bundled declarations type most methods as synchronous).
 */
export interface NodeDicomwebClient {
  storeInstances(options: { datasets: ArrayBuffer[]; studyInstanceUID?: string }): Promise<unknown>;
  searchForStudies(options?: { queryParams?: Record<string, string | number> }): Promise<DicomJsonDataSet[]>;
  searchForSeries(options?: {
    studyInstanceUID?: string;
    queryParams?: Record<string, string | number>;
  }): Promise<DicomJsonDataSet[]>;
  searchForInstances(options?: {
    studyInstanceUID?: string;
    seriesInstanceUID?: string;
    queryParams?: Record<string, string | number>;
  }): Promise<DicomJsonDataSet[]>;
  retrieveStudyMetadata(options: { studyInstanceUID: string }): Promise<DicomJsonDataSet[]>;
  retrieveSeriesMetadata(options: {
    studyInstanceUID: string;
    seriesInstanceUID: string;
  }): Promise<DicomJsonDataSet[]>;
  retrieveInstanceMetadata(options: Instance): Promise<DicomJsonDataSet[]>;
  retrieveInstance(options: Instance & { mediaTypes?: ClientMediaType[] }): Promise<ClientPart>;
  /** A WADO-URI URL (`?requestType=WADO&…`) under the client's URL; `transferSyntax` defaults to `*`. */
  buildInstanceWadoURIUrl(options: Instance & { contentType?: string; transferSyntax?: string }): string;
  retrieveSeries(options: {
    studyInstanceUID: string;
    seriesInstanceUID: string;
    mediaTypes?: ClientMediaType[];
  }): Promise<ClientPart[]>;
  retrieveStudy(options: { studyInstanceUID: string; mediaTypes?: ClientMediaType[] }): Promise<ClientPart[]>;
  retrieveInstanceFrames(
    options: Instance & { frameNumbers: string | number[]; mediaTypes?: ClientMediaType[] },
  ): Promise<ClientPart[]>;
  retrieveBulkData(options: { BulkDataURI: string; mediaTypes?: ClientMediaType[] }): Promise<ClientPart[]>;
  /** Rendered resources answer one part (the image) unless they are multipart. */
  retrieveInstanceRendered(
    options: Instance & { mediaTypes?: ClientMediaType[]; queryParams?: Record<string, string | number> },
  ): Promise<ClientPart[]>;
  retrieveInstanceThumbnail(
    options: Instance & { mediaTypes?: ClientMediaType[]; queryParams?: Record<string, string | number> },
  ): Promise<ClientPart[]>;
  retrieveInstanceFramesRendered(
    options: Instance & {
      frameNumbers: string | number[];
      mediaTypes?: ClientMediaType[];
      queryParams?: Record<string, string | number>;
    },
  ): Promise<ClientPart[]>;
}

/** What dicomweb-client rejects with when the server answers an error status. */
export interface ClientRequestError extends Error {
  status: number;
  response: unknown;
}

/**
 * dicomweb-client is written for browsers and needs `XMLHttpRequest`; under Node the `xhr2` package
 * provides it. Installed once on `globalThis` (tests run in their own worker process).
 */
export function installXmlHttpRequest(): void {
  if (globalThis.XMLHttpRequest !== undefined) return;
  const require = createRequire(import.meta.url);
  globalThis.XMLHttpRequest = require('xhr2') as typeof XMLHttpRequest;
}

/**
 * A dicomweb-client `DICOMwebClient` (the client OHIF uses) for a DICOMweb root, sending `authorization`
 * with every request (the client's own username/password options are not sent by its Node code path).
 */
export function createNodeDicomwebClient(url: string, authorization: string): NodeDicomwebClient {
  installXmlHttpRequest();
  const client = new api.DICOMwebClient({
    url,
    headers: { Authorization: authorization },
    singlepart: false,
    verbose: false,
  });
  return client as unknown as NodeDicomwebClient;
}
