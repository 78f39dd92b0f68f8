/**
 * The server's share of IHE Invoke Image Display (RAD-106): the profile answers a malformed request with
 * an HTTP error, which only the server can send. It checks the request's shape here, before the web app
 * loads (and before sign-in, so an invoker's mistake is not hidden behind a login form); the app checks
 * the values and finds the studies.
 */

/** The path the profile fixes for the Image Display's endpoint. */
export const INVOKE_IMAGE_DISPLAY_PATH = '/IHEInvokeImageDisplay';

type QueryValue = string | string[] | undefined;

/** The non-empty values of a parameter, repeated or comma-separated alike. */
function valuesOf(value: QueryValue): string[] {
  return (Array.isArray(value) ? value : value === undefined ? [] : [value])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** Why a request cannot be an Invoke Image Display request, or undefined when its shape is right. */
export function invocationProblem(query: Record<string, QueryValue>): string | undefined {
  const types = valuesOf(query.requestType);
  if (types.length === 0) return 'requestType (STUDY or PATIENT) is missing';
  if (types.length > 1) return 'requestType is given more than once';
  const type = types[0]!.toUpperCase();
  if (type === 'STUDY') {
    const uids = valuesOf(query.studyUID).length > 0;
    const accessions = valuesOf(query.accessionNumber).length > 0;
    if (!uids && !accessions) return 'a STUDY request needs studyUID or accessionNumber';
    if (uids && accessions)
      return 'a STUDY request names its studies by studyUID or by accessionNumber, not both';
    return undefined;
  }
  if (type === 'PATIENT')
    return valuesOf(query.patientID).length > 0
      ? undefined
      : 'a PATIENT request needs patientID (id^^^authority)';
  return `requestType ${types[0]} is not STUDY or PATIENT`;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** A page a person can read (the request came from their browser), saying what is wrong. */
export function invocationProblemPage(problem: string): string {
  const text = problem.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lightbox: image display request refused</title></head>
<body>
<h1>This image display request cannot be shown</h1>
<p>${text}.</p>
<p>Lightbox opens images for <code>/IHEInvokeImageDisplay?requestType=STUDY&amp;studyUID=…</code> (or
<code>accessionNumber=…</code>) and <code>/IHEInvokeImageDisplay?requestType=PATIENT&amp;patientID=id^^^authority</code>
(IHE Invoke Image Display). Please tell the people who run the system that sent you here.</p>
<p><a href="/">Open Lightbox</a></p>
</body></html>
`;
}
