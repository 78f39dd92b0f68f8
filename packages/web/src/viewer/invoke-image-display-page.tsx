import { useEffect, useState } from 'react';
import { invokedStudies } from '../dicomweb/invoked-studies';
import { viewerLink } from '../studies/study-list-page';
import { parseImageDisplayRequest, type ImageDisplayRequest } from './image-display-request';

/** What the invoked page shows while it is not (yet) the viewer. */
type Outcome =
  { state: 'finding' } | { state: 'refused'; problem: string } | { state: 'none'; message: string };

/** Says what was looked for and not found, in the invoker's own terms. */
function nothingFound(request: ImageDisplayRequest): string {
  if (request.requestType === 'PATIENT') {
    const issuer = request.issuer === '' ? '' : ` (${request.issuer})`;
    return `No studies for patient ${request.patientId}${issuer} in your access${
      request.lower !== undefined || request.upper !== undefined || request.modalities.length > 0
        ? ' that match the requested dates and modalities'
        : ''
    }.`;
  }
  if ('accessionNumbers' in request)
    return `No study with accession number ${request.accessionNumbers.join(', ')} in your access.`;
  return 'No studies were named.';
}

/**
 * The Image Display of IHE Invoke Image Display (RAD-106): finds the studies the request names, in the
 * signed-in user's scope, and replaces itself with the viewer on them, so Back returns to the invoker.
 * A request it cannot honour says why instead of showing an empty screen.
 */
export function InvokeImageDisplayPage({
  search,
  redirect,
}: {
  search: string;
  /** Goes to another page of the app in place of this one (history replace). */
  redirect: (to: string) => void;
}) {
  const [outcome, setOutcome] = useState<Outcome>({ state: 'finding' });

  useEffect(() => {
    const parsed = parseImageDisplayRequest(new URLSearchParams(search));
    if (!parsed.ok) {
      setOutcome({ state: 'refused', problem: parsed.problem });
      return;
    }
    const controller = new AbortController();
    invokedStudies(parsed.request, controller.signal)
      .then((found) => {
        if (controller.signal.aborted) return;
        if ('problem' in found) setOutcome({ state: 'refused', problem: found.problem });
        else if (found.studyUids.length === 0)
          setOutcome({ state: 'none', message: nothingFound(parsed.request) });
        else redirect(viewerLink(found.studyUids));
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        setOutcome({
          state: 'refused',
          problem: `The archive could not be searched: ${error instanceof Error ? error.message : String(error)}`,
        });
      });
    return () => controller.abort();
  }, [search, redirect]);

  return (
    <main className="empty-page invoke-image-display">
      <h1>Image display</h1>
      {outcome.state === 'finding' && <p aria-live="polite">Finding the requested studies…</p>}
      {outcome.state === 'none' && <p role="status">{outcome.message}</p>}
      {outcome.state === 'refused' && (
        <>
          <p className="error" role="alert">
            This image display request cannot be shown: {outcome.problem}
          </p>
          <p>
            The requesting system sent <code>{`/IHEInvokeImageDisplay${search}`}</code>. Requests take
            requestType=STUDY with studyUID or accessionNumber, or requestType=PATIENT with patientID.
          </p>
        </>
      )}
    </main>
  );
}
