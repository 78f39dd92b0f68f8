/**
 * The request of IHE Invoke Image Display (IID, RAD-106) as the Image Display receives it:
 * `/IHEInvokeImageDisplay?requestType=STUDY|PATIENT&…`, sent by an EHR, a RIS or a portal that knows a
 * patient or some studies but nothing of images. Parsing is strict: a request the invoker got wrong is
 * refused with a reason rather than answered with studies it did not mean.
 */

/** The path the profile fixes for the Image Display's endpoint. */
export const INVOKE_IMAGE_DISPLAY_PATH = '/IHEInvokeImageDisplay';

/** Parameters that shape the display; Lightbox has one viewer, always of diagnostic quality. */
export interface DisplayPreferences {
  /** `IHE_BIR` or a vendor's name: any is accepted, Lightbox's viewer answers them all. */
  viewerType?: string;
  diagnosticQuality?: boolean;
  keyImagesOnly?: boolean;
}

/** A point of a `lowerDateTime`/`upperDateTime` bound, as DICOM writes study dates and times. */
export interface StudyDateTimeBound {
  /** YYYYMMDD. */
  date: string;
  /** HHMMSS: the bound's time of day, or the day's first (lower) or last (upper) second without one. */
  time: string;
}

export type ImageDisplayRequest = DisplayPreferences &
  (
    | { requestType: 'STUDY'; studyUids: string[] }
    | { requestType: 'STUDY'; accessionNumbers: string[] }
    | {
        requestType: 'PATIENT';
        patientId: string;
        /** The assigning authority as Lightbox keeps IssuerOfPatientID: its namespace, else its universal ID. */
        issuer: string;
        /** The universal ID when the namespace was also given: the same authority under its other name. */
        otherIssuer?: string;
        lower?: StudyDateTimeBound;
        upper?: StudyDateTimeBound;
        mostRecentResults?: number;
        modalities: string[];
      }
  );

export type ParsedImageDisplayRequest =
  { ok: true; request: ImageDisplayRequest } | { ok: false; problem: string };

/** PS3.5 §9.1: digits in dot-separated components, at most 64 characters. */
const UID = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;
/** QIDO reads `*` and `?` as wildcards and `\` as a value separator: an identifier must match exactly. */
const NOT_EXACT = /[*?\\]/;
/** xs:dateTime as the profile's bounds use it; the time (and zone) may be left out for a whole day. */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;
/** DICOM Defined Terms of Modality (PS3.3 C.7.3.1.1.1): capitals, digits and underscores. */
const MODALITY = /^[A-Z0-9_]{1,16}$/;

class RequestProblem extends Error {}

/** The values of a list parameter: comma-separated, or repeated (invokers do both). */
function listOf(params: URLSearchParams, name: string): string[] {
  return params
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** A parameter that may appear once; an empty value counts as absent. */
function single(params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name).filter((v) => v.trim() !== '');
  if (values.length > 1) throw new RequestProblem(`${name} is given ${values.length} times`);
  return values[0]?.trim();
}

function flag(params: URLSearchParams, name: string): boolean | undefined {
  const value = single(params, name);
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (lower !== 'true' && lower !== 'false') throw new RequestProblem(`${name} must be true or false`);
  return lower === 'true';
}

/** The patient identifier and its assigning authority of a CX value `id^^^authority`. */
function patientIdentity(cx: string): { patientId: string; issuer: string; otherIssuer?: string } {
  const [id = '', , , authority] = cx.split('^');
  const patientId = id.trim();
  if (patientId === '') throw new RequestProblem('patientID has no identifier before ^^^');
  if (NOT_EXACT.test(patientId))
    throw new RequestProblem('patientID may not contain *, ? or \\ (it must name one patient exactly)');
  if (authority === undefined) return { patientId, issuer: '' };
  // HD: namespace ID & universal ID & universal ID type. A bare `^^^` is what is left when the invoker
  // forgot to write `&` as %26: the rest became other parameters, and the authority would be lost.
  const [namespace = '', universal = ''] = authority.split('&').map((p) => p.trim());
  if (namespace === '' && universal === '')
    throw new RequestProblem(
      'patientID names an empty assigning authority after ^^^ (an “&” in it must be sent as %26)',
    );
  if (NOT_EXACT.test(namespace) || NOT_EXACT.test(universal))
    throw new RequestProblem('the assigning authority of patientID may not contain *, ? or \\');
  return namespace !== '' && universal !== '' && universal !== namespace
    ? { patientId, issuer: namespace, otherIssuer: universal }
    : { patientId, issuer: namespace || universal };
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * A bound of the study date range. DICOM study dates and times carry no zone, so the bound is read as the
 * wall-clock time it writes; a zone, when given, is accepted and not converted.
 */
function bound(
  params: URLSearchParams,
  name: string,
  end: 'lower' | 'upper',
): StudyDateTimeBound | undefined {
  const value = single(params, name);
  if (value === undefined) return undefined;
  const m = DATE_TIME.exec(value);
  if (m === null) throw new RequestProblem(`${name} must be a date and time such as 2024-03-01T08:00:00Z`);
  const [, year = '', month = '', day = '', hour, minute, second] = m;
  const valid =
    Number(month) >= 1 &&
    Number(month) <= 12 &&
    Number(day) >= 1 &&
    Number(day) <= daysIn(Number(year), Number(month)) &&
    Number(hour ?? 0) <= 23 &&
    Number(minute ?? 0) <= 59 &&
    Number(second ?? 0) <= 59;
  if (!valid) throw new RequestProblem(`${name} is not a calendar date and time: ${value}`);
  const time =
    hour === undefined
      ? end === 'lower'
        ? '000000'
        : '235959'
      : `${hour}${minute}${second ?? (end === 'lower' ? '00' : '59')}`;
  return { date: `${year}${month}${day}`, time };
}

function preferences(params: URLSearchParams): DisplayPreferences {
  const viewerType = single(params, 'viewerType');
  const diagnosticQuality = flag(params, 'diagnosticQuality');
  const keyImagesOnly = flag(params, 'keyImagesOnly');
  return {
    ...(viewerType !== undefined ? { viewerType } : {}),
    ...(diagnosticQuality !== undefined ? { diagnosticQuality } : {}),
    ...(keyImagesOnly !== undefined ? { keyImagesOnly } : {}),
  };
}

function studyRequest(params: URLSearchParams): ImageDisplayRequest {
  const studyUids = listOf(params, 'studyUID');
  const accessionNumbers = listOf(params, 'accessionNumber');
  if (studyUids.length > 0 && accessionNumbers.length > 0)
    throw new RequestProblem('a STUDY request names its studies by studyUID or by accessionNumber, not both');
  if (studyUids.length > 0) {
    const bad = studyUids.find((uid) => uid.length > 64 || !UID.test(uid));
    if (bad !== undefined) throw new RequestProblem(`studyUID ${bad} is not a DICOM UID`);
    return { requestType: 'STUDY', studyUids: [...new Set(studyUids)], ...preferences(params) };
  }
  if (accessionNumbers.length > 0) {
    const bad = accessionNumbers.find((a) => a.length > 16 || NOT_EXACT.test(a));
    if (bad !== undefined)
      throw new RequestProblem(
        `accessionNumber ${bad} is not an accession number (16 characters, no * ? \\)`,
      );
    return { requestType: 'STUDY', accessionNumbers: [...new Set(accessionNumbers)], ...preferences(params) };
  }
  throw new RequestProblem('a STUDY request needs studyUID or accessionNumber');
}

function patientRequest(params: URLSearchParams): ImageDisplayRequest {
  const cx = single(params, 'patientID');
  if (cx === undefined) throw new RequestProblem('a PATIENT request needs patientID (id^^^authority)');
  const lower = bound(params, 'lowerDateTime', 'lower');
  const upper = bound(params, 'upperDateTime', 'upper');
  if (
    lower !== undefined &&
    upper !== undefined &&
    `${lower.date}${lower.time}` > `${upper.date}${upper.time}`
  )
    throw new RequestProblem('lowerDateTime is after upperDateTime');
  const most = single(params, 'mostRecentResults');
  if (most !== undefined && !/^[1-9][0-9]{0,5}$/.test(most))
    throw new RequestProblem('mostRecentResults must be a whole number of studies, 1 or more');
  const modalities = listOf(params, 'modalitiesInStudy').map((m) => m.toUpperCase());
  const badModality = modalities.find((m) => !MODALITY.test(m));
  if (badModality !== undefined)
    throw new RequestProblem(`modalitiesInStudy ${badModality} is not a modality`);
  return {
    requestType: 'PATIENT',
    ...patientIdentity(cx),
    ...(lower !== undefined ? { lower } : {}),
    ...(upper !== undefined ? { upper } : {}),
    ...(most !== undefined ? { mostRecentResults: Number(most) } : {}),
    modalities: [...new Set(modalities)],
    ...preferences(params),
  };
}

/** Reads an Invoke Image Display request from its query, or says what is wrong with it. */
export function parseImageDisplayRequest(params: URLSearchParams): ParsedImageDisplayRequest {
  try {
    const requestType = single(params, 'requestType');
    if (requestType === undefined) throw new RequestProblem('requestType (STUDY or PATIENT) is missing');
    switch (requestType.toUpperCase()) {
      case 'STUDY':
        return { ok: true, request: studyRequest(params) };
      case 'PATIENT':
        return { ok: true, request: patientRequest(params) };
      default:
        throw new RequestProblem(`requestType ${requestType} is not STUDY or PATIENT`);
    }
  } catch (error) {
    if (error instanceof RequestProblem) return { ok: false, problem: error.message };
    throw error;
  }
}
