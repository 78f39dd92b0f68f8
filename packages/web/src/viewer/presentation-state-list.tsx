import { useEffect, useState } from 'react';
import { fetchBulkData, seriesMetadata } from '../dicomweb/archive-client';
import { JsonTag, displayPersonName, textOf, type DicomJson } from '../dicomweb/dicom-json';
import { formatDicomDate } from '../settings/date-format';
import type { DateFormat } from '../settings/user-settings';
import {
  parsePresentationState,
  presentationStateTitle,
  withVoiLutData,
  type PresentationState,
} from './presentation-state';

/**
 * The grayscale presentation states a study holds (its PR series), newest first. Their metadata is read
 * once per study: it is small, and the series panel lists each with its label and creator. A VOI LUT
 * table too large for the metadata is read from the archive with it.
 */
export function usePresentationStates(studyUid: string, series: readonly DicomJson[]): PresentationState[] {
  const [states, setStates] = useState<PresentationState[]>([]);
  useEffect(() => {
    let stale = false;
    const uids = series
      .filter((s) => textOf(s, JsonTag.Modality) === 'PR')
      .map((s) => textOf(s, JsonTag.SeriesInstanceUID));
    Promise.all(
      uids.map((uid) =>
        seriesMetadata(studyUid, uid).catch((e: unknown) => {
          console.error('could not read the presentation states', e);
          return [];
        }),
      ),
    )
      .then((instances) =>
        Promise.all(
          instances
            .flat()
            .map(parsePresentationState)
            .filter((s): s is PresentationState => s !== undefined)
            .map((s) => withVoiLutData(s, fetchBulkData)),
        ),
      )
      .then((parsed) => {
        if (stale) return;
        setStates(parsed.sort((a, b) => `${b.date}${b.time}`.localeCompare(`${a.date}${a.time}`)));
      })
      .catch((e: unknown) => console.error('could not read the presentation states', e));
    return () => {
      stale = true;
    };
  }, [studyUid, series]);
  return states;
}

/** The study's presentation states in the series panel: one is applied at a time, or none. */
export function PresentationStateList({
  states,
  chosen,
  onChoose,
  dateFormat,
}: {
  states: readonly PresentationState[];
  chosen: string | undefined;
  onChoose: (sopInstanceUid: string | undefined) => void;
  dateFormat: DateFormat;
}) {
  if (states.length === 0) return null;
  return (
    <section className="presentation-states" aria-label="Presentation states">
      <h3>Presentation states</h3>
      <ul>
        <li>
          <button aria-pressed={chosen === undefined} onClick={() => onChoose(undefined)}>
            None
          </button>
        </li>
        {states.map((state) => (
          <li key={state.sopInstanceUid}>
            <button
              aria-pressed={chosen === state.sopInstanceUid}
              title="Show the images as this presentation state says (choose again to remove it)"
              onClick={() => onChoose(chosen === state.sopInstanceUid ? undefined : state.sopInstanceUid)}
            >
              {presentationStateTitle(state)}
              <small>
                {[displayPersonName(state.creator), formatDicomDate(state.date, dateFormat)]
                  .filter((s) => s !== '')
                  .join(' · ')}
              </small>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
