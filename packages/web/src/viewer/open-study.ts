import { findStudy, firstInstance, patientStudies, studySeries } from '../dicomweb/archive-client';
import { JsonTag, textOf, textsOf, type DicomJson } from '../dicomweb/dicom-json';
import { loadSeriesFrames } from './series-loader';
import { loadDepartmentProtocols } from '../settings/department-protocols';
import type { UserHangingProtocol } from '../settings/user-settings';
import {
  hangStudy,
  isImageModality,
  protocolsTried,
  relevantPrior,
  seriesFacts,
  type HangingProtocol,
  type HungViewport,
  type SeriesFacts,
} from './hanging-protocol';

/** A study with its series, as the viewer holds it. */
export interface LoadedStudy {
  study: DicomJson;
  series: DicomJson[];
}

/** What the viewer opens: the study, its most recent relevant prior, and how they hang. */
export interface OpenedStudy {
  current: LoadedStudy;
  prior?: LoadedStudy;
  protocol: HangingProtocol;
  viewports: HungViewport[];
}

async function facts(studyUid: string, series: DicomJson[]): Promise<SeriesFacts[]> {
  return Promise.all(
    series.map(async (s) => {
      const initial = seriesFacts(studyUid, s);
      // The plane needs one instance's orientation; documents have none.
      if (!initial.images) return initial;
      const instance = await firstInstance(studyUid, initial.seriesUid).catch(() => undefined);
      return seriesFacts(studyUid, s, instance);
    }),
  );
}

/**
 * The department's protocols as they are now, read each time a study opens (the administrator's latest
 * apply at once). When they cannot be read the study still opens, hung by the user's and the built-in ones.
 */
async function departmentProtocols(): Promise<UserHangingProtocol[]> {
  try {
    return (await loadDepartmentProtocols()).protocols;
  } catch (e) {
    console.warn("the department's hanging protocols not read; hanging without them", e);
    return [];
  }
}

/**
 * Opens a study for reading: finds it, its series, the patient's most recent relevant prior (same patient
 * ID and issuer, earlier, a shared modality and body part), and hangs both by the first protocol that fits:
 * the user's own first, in their order, then the department's, then the built-in ones. Returns undefined
 * when the study is not there or not the user's to see.
 */
export async function openStudy(
  studyUid: string,
  ownProtocols: readonly UserHangingProtocol[] = [],
): Promise<OpenedStudy | undefined> {
  const department = departmentProtocols();
  const [study, series] = await Promise.all([findStudy(studyUid), studySeries(studyUid)]);
  if (study === undefined) return undefined;
  // The first image series is almost always hung: fetch its metadata while the prior is looked for.
  const likely = series.find((s) => isImageModality(textOf(s, JsonTag.Modality)));
  if (likely !== undefined)
    void loadSeriesFrames(studyUid, textOf(likely, JsonTag.SeriesInstanceUID)).catch(() => undefined);
  const patientId = textOf(study, JsonTag.PatientID);
  const others =
    patientId !== '' ? await patientStudies(patientId, textOf(study, JsonTag.IssuerOfPatientID)) : [];
  const priorStudy = relevantPrior(study, others);
  const prior =
    priorStudy !== undefined
      ? { study: priorStudy, series: await studySeries(textOf(priorStudy, JsonTag.StudyInstanceUID)) }
      : undefined;
  const [currentFacts, priorFacts] = await Promise.all([
    facts(studyUid, series),
    prior !== undefined ? facts(textOf(prior.study, JsonTag.StudyInstanceUID), prior.series) : undefined,
  ]);
  const { protocol, viewports } = hangStudy(
    protocolsTried(ownProtocols, await department),
    {
      modalities: textsOf(study, JsonTag.ModalitiesInStudy),
      description: textOf(study, JsonTag.StudyDescription),
      series: currentFacts,
    },
    priorFacts,
  );
  return { current: { study, series }, ...(prior !== undefined ? { prior } : {}), protocol, viewports };
}
