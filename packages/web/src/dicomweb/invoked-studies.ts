import type { ImageDisplayRequest, StudyDateTimeBound } from '../viewer/image-display-request';
import { searchStudies } from './archive-client';
import { JsonTag, textOf, type DicomJson } from './dicom-json';

/**
 * The studies an Invoke Image Display request names, found by QIDO-RS in the user's own scope: the archive
 * answers only what the user may see, so a study outside it is simply not found.
 */
export type InvokedStudies = { studyUids: string[] } | { problem: string };

/** The most studies a patient request fetches: the newest come first, so a cut drops the oldest. */
const PATIENT_QUERY_LIMIT = 500;
/** The most studies one accession number may name (it names one study, rarely a few). */
const ACCESSION_QUERY_LIMIT = 20;
/** The viewer opens the first study (and finds its priors itself); a longer list only lengthens the URL. */
export const MAX_STUDIES_IN_VIEWER = 20;

type PatientRequest = Extract<ImageDisplayRequest, { requestType: 'PATIENT' }>;

/** The QIDO query of a patient's studies: by identifier and assigning authority, never by name. */
export function patientStudyQuery(request: PatientRequest, issuer: string): URLSearchParams {
  const params = new URLSearchParams({ PatientID: request.patientId });
  if (issuer !== '') params.set('IssuerOfPatientID', issuer);
  if (request.lower !== undefined || request.upper !== undefined)
    params.set('StudyDate', `${request.lower?.date ?? ''}-${request.upper?.date ?? ''}`);
  // Several codes in one value, as the study list sends them: the archive matches a study with any.
  if (request.modalities.length > 0) params.set('ModalitiesInStudy', request.modalities.join('\\'));
  // Only the newest are wanted: when nothing narrows them further on this side, ask for no more.
  const narrowedHere = request.lower !== undefined || request.upper !== undefined;
  const limit =
    request.mostRecentResults !== undefined && !narrowedHere
      ? Math.min(request.mostRecentResults, PATIENT_QUERY_LIMIT)
      : PATIENT_QUERY_LIMIT;
  params.set('limit', String(limit));
  for (const field of ['StudyTime', 'IssuerOfPatientID']) params.append('includefield', field);
  return params;
}

/** A study's date and time as one sortable text (YYYYMMDDHHMMSS; an unknown time sorts as its day's start). */
function studyMoment(study: DicomJson): { date: string; time?: string } {
  const date = textOf(study, JsonTag.StudyDate);
  const digits =
    textOf(study, JsonTag.StudyTime)
      .replace(/[^0-9.]/g, '')
      .split('.')[0] ?? '';
  return digits === '' ? { date } : { date, time: digits.padEnd(6, '0').slice(0, 6) };
}

function withinBounds(study: DicomJson, lower?: StudyDateTimeBound, upper?: StudyDateTimeBound): boolean {
  const { date, time } = studyMoment(study);
  // The archive matched the dates; times refine only the bounds' own days, and a study without a time
  // is kept on them (it may well have been within).
  if (date === '' || time === undefined) return true;
  const moment = `${date}${time}`;
  if (lower !== undefined && moment < `${lower.date}${lower.time}`) return false;
  if (upper !== undefined && moment > `${upper.date}${upper.time}`) return false;
  return true;
}

/**
 * The studies of a patient query's answer to open, newest first, or why none are opened. A Patient ID
 * given without its assigning authority that matches patients of several authorities names no one
 * patient: nothing is shown rather than another patient's images.
 */
export function chooseStudies(results: readonly DicomJson[], request: PatientRequest): InvokedStudies {
  const issuers = new Set(results.map((s) => textOf(s, JsonTag.IssuerOfPatientID)));
  if (request.issuer === '' && issuers.size > 1)
    return {
      problem: `Patient ID ${request.patientId} belongs to patients of ${issuers.size} assigning authorities; the request must name the authority (patientID=${request.patientId}^^^authority).`,
    };
  const sortKey = (s: DicomJson) => {
    const { date, time } = studyMoment(s);
    return `${date}${time ?? '000000'}`;
  };
  const chosen = results
    .filter((s) => withinBounds(s, request.lower, request.upper))
    .sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : sortKey(a) > sortKey(b) ? -1 : 0))
    .slice(0, request.mostRecentResults ?? results.length)
    .map((s) => textOf(s, JsonTag.StudyInstanceUID));
  return { studyUids: chosen };
}

async function patientStudies(request: PatientRequest, signal?: AbortSignal): Promise<InvokedStudies> {
  let { results } = await searchStudies(patientStudyQuery(request, request.issuer), signal);
  // The archive keeps an authority's namespace when it has one, else its universal ID (as HL7 PID-3 gives
  // them): an invoker naming both may match under either.
  if (results.length === 0 && request.otherIssuer !== undefined)
    ({ results } = await searchStudies(patientStudyQuery(request, request.otherIssuer), signal));
  return chooseStudies(results, request);
}

async function accessionStudies(accessionNumbers: string[], signal?: AbortSignal): Promise<InvokedStudies> {
  const pages = await Promise.all(
    accessionNumbers.map((accession) =>
      searchStudies(
        new URLSearchParams({ AccessionNumber: accession, limit: String(ACCESSION_QUERY_LIMIT) }),
        signal,
      ),
    ),
  );
  return { studyUids: pages.flatMap((page) => page.results.map((s) => textOf(s, JsonTag.StudyInstanceUID))) };
}

/** The Study Instance UIDs to open for a request, in the order to open them (at most {@link MAX_STUDIES_IN_VIEWER}). */
export async function invokedStudies(
  request: ImageDisplayRequest,
  signal?: AbortSignal,
): Promise<InvokedStudies> {
  const found =
    request.requestType === 'PATIENT'
      ? await patientStudies(request, signal)
      : 'accessionNumbers' in request
        ? await accessionStudies(request.accessionNumbers, signal)
        : { studyUids: request.studyUids };
  if ('problem' in found) return found;
  return { studyUids: [...new Set(found.studyUids.filter(Boolean))].slice(0, MAX_STUDIES_IN_VIEWER) };
}
