import { seriesMetadata } from '../dicomweb/archive-client';
import { JsonTag, textOf, type DicomJson } from '../dicomweb/dicom-json';

/** Content Date and Time of a document (PS3.3 C.17.2), sortable as text. */
function contentMoment(instance: DicomJson): string {
  return `${textOf(instance, '00080023')}${textOf(instance, '00080033').padEnd(13, '0')}`;
}

/**
 * The newest document (by Content Date and Time) of the series of a study that Lightbox saved with this
 * modality and series description (its measurement reports, its key image documents), with its content.
 */
export async function newestDocument(
  studyUid: string,
  series: DicomJson[],
  modality: string,
  seriesDescription: string,
): Promise<DicomJson | undefined> {
  const documents = series.filter(
    (s) =>
      textOf(s, JsonTag.Modality) === modality && textOf(s, JsonTag.SeriesDescription) === seriesDescription,
  );
  const instances = (
    await Promise.all(documents.map((s) => seriesMetadata(studyUid, textOf(s, JsonTag.SeriesInstanceUID))))
  ).flat();
  return instances.sort((a, b) => contentMoment(b).localeCompare(contentMoment(a)))[0];
}
