import { appFetch } from '../session/session-client';
import type { DicomJson } from './dicom-json';
import { firstPartOf } from './multipart-part';

/** Where the archive's DICOMweb lives (runtime contract: `/dicomweb` on the same origin). */
export const DICOMWEB_ROOT = '/dicomweb';

/** One page of QIDO-RS results, and whether the server said there were more (a `Warning` header). */
export interface QueryPage {
  results: DicomJson[];
  more: boolean;
}

async function json(url: string): Promise<DicomJson[]> {
  const response = await appFetch(url, { headers: { accept: 'application/dicom+json' } });
  // QIDO answers 204 when nothing matched.
  if (response.status === 204) return [];
  return (await response.json()) as DicomJson[];
}

/** Searches studies (QIDO-RS, PS3.18 10.6) with a query built by `studyQuery`. */
export async function searchStudies(params: URLSearchParams, signal?: AbortSignal): Promise<QueryPage> {
  const limit = Number(params.get('limit') ?? '0');
  // One more than the page tells whether a next page exists without counting every match.
  const probe = new URLSearchParams(params);
  if (limit > 0) probe.set('limit', String(limit + 1));
  const response = await appFetch(`${DICOMWEB_ROOT}/studies?${probe.toString()}`, {
    headers: { accept: 'application/dicom+json' },
    ...(signal !== undefined ? { signal } : {}),
  });
  const results = response.status === 204 ? [] : ((await response.json()) as DicomJson[]);
  return {
    results: limit > 0 ? results.slice(0, limit) : results,
    more: limit > 0 && results.length > limit,
  };
}

/** One study's attributes, or undefined when it is not there (or not the user's to see). */
export async function findStudy(studyUid: string): Promise<DicomJson | undefined> {
  const params = new URLSearchParams({ StudyInstanceUID: studyUid });
  for (const field of [
    'StudyDescription',
    'ModalitiesInStudy',
    'PatientBirthDate',
    'PatientSex',
    'InstitutionName',
  ])
    params.append('includefield', field);
  return (await json(`${DICOMWEB_ROOT}/studies?${params.toString()}`))[0];
}

/** The series of a study, in series-number order. */
export async function studySeries(studyUid: string): Promise<DicomJson[]> {
  const params = new URLSearchParams();
  for (const field of [
    'SeriesDescription',
    'BodyPartExamined',
    'NumberOfSeriesRelatedInstances',
    'SeriesDate',
  ])
    params.append('includefield', field);
  return json(`${DICOMWEB_ROOT}/studies/${encodeURIComponent(studyUid)}/series?${params.toString()}`);
}

/** The metadata of every instance of a series, in one request (WADO-RS, PS3.18 10.4). */
export async function seriesMetadata(studyUid: string, seriesUid: string): Promise<DicomJson[]> {
  return json(
    `${DICOMWEB_ROOT}/studies/${encodeURIComponent(studyUid)}/series/${encodeURIComponent(seriesUid)}/metadata`,
  );
}

/** The URL of a series thumbnail (rendered by the server). */
export function seriesThumbnailUrl(studyUid: string, seriesUid: string): string {
  return `${DICOMWEB_ROOT}/studies/${encodeURIComponent(studyUid)}/series/${encodeURIComponent(seriesUid)}/thumbnail`;
}

/** The other studies of a patient (by Patient ID and, when known, its issuer), newest first. */
export async function patientStudies(patientId: string, issuer: string): Promise<DicomJson[]> {
  const params = new URLSearchParams({ PatientID: patientId, limit: '100' });
  if (issuer !== '') params.set('IssuerOfPatientID', issuer);
  for (const field of ['StudyDescription', 'ModalitiesInStudy', 'IssuerOfPatientID'])
    params.append('includefield', field);
  return json(`${DICOMWEB_ROOT}/studies?${params.toString()}`);
}

/** The first instance of a series with its geometry (QIDO-RS), for hanging protocols. */
export async function firstInstance(studyUid: string, seriesUid: string): Promise<DicomJson | undefined> {
  const params = new URLSearchParams({ limit: '1', includefield: 'ImageOrientationPatient' });
  return (
    await json(
      `${DICOMWEB_ROOT}/studies/${encodeURIComponent(studyUid)}/series/${encodeURIComponent(seriesUid)}/instances?${params.toString()}`,
    )
  )[0];
}

/**
 * A bulk data value named by a BulkDataURI of the metadata (PS3.18 §10.4.1.1.5), as its bytes. The
 * metadata names the archive by its public URL; the app reaches it on its own origin.
 */
export async function fetchBulkData(bulkDataUri: string): Promise<Uint8Array> {
  const path = `${DICOMWEB_ROOT}/${bulkDataUri.slice(bulkDataUri.indexOf('studies/'))}`;
  const response = await appFetch(path, {
    headers: { accept: 'multipart/related; type="application/octet-stream"' },
  });
  if (!response.ok) throw new Error(`bulk data: ${response.status}`);
  return firstPartOf(response); // a copy: it keeps nothing of the whole answer
}
