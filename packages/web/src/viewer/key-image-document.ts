// Writing a KOS takes dcmjs: this module is loaded only when key images are saved (key-images.ts).
import dcmjs from 'dcmjs';
import { JsonTag, textOf, type DicomJson } from '../dicomweb/dicom-json';
import { storeInstances } from '../dicomweb/store-instances';
import { KEY_IMAGE_SERIES_DESCRIPTION, KEY_OBJECT_SELECTION, type KeyImage } from './key-images';
import { patientStudyAttributes } from './study-attributes';

/**
 * The Key Object Selection document (PS3.3 A.35.4, TID 2010 with title (113000, DCM, "Of Interest")) of a
 * study's key images, as a dcmjs dataset: patient and study from the archive's current values, one IMAGE
 * item per key image, and the evidence sequence listing every referenced instance.
 */
export function keyImageDocument(
  study: DicomJson,
  images: KeyImage[],
  description: string,
): Record<string, unknown> {
  const { uid, date, time } = dcmjs.data.DicomMetaDictionary;
  const bySeries = new Map<string, KeyImage[]>();
  for (const image of images)
    bySeries.set(image.seriesInstanceUid, [...(bySeries.get(image.seriesInstanceUid) ?? []), image]);
  const reference = (image: KeyImage) => ({
    ReferencedSOPClassUID: image.sopClassUid,
    ReferencedSOPInstanceUID: image.sopInstanceUid,
    ...(image.frame !== undefined ? { ReferencedFrameNumber: image.frame } : {}),
  });
  const code = (value: string, scheme: string, meaning: string) => [
    { CodeValue: value, CodingSchemeDesignator: scheme, CodeMeaning: meaning },
  ];
  return {
    _meta: {},
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: KEY_OBJECT_SELECTION,
    SOPInstanceUID: uid(),
    ...patientStudyAttributes(study),
    Modality: 'KO',
    SeriesInstanceUID: uid(),
    SeriesNumber: 9002,
    SeriesDescription: KEY_IMAGE_SERIES_DESCRIPTION,
    ReferencedPerformedProcedureStepSequence: [],
    Manufacturer: 'Lightbox',
    InstanceNumber: 1,
    ContentDate: date(),
    ContentTime: time(),
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: code('113000', 'DCM', 'Of Interest'),
    ContinuityOfContent: 'SEPARATE',
    ContentTemplateSequence: [{ MappingResource: 'DCMR', TemplateIdentifier: '2010' }],
    CurrentRequestedProcedureEvidenceSequence: [
      {
        StudyInstanceUID: textOf(study, JsonTag.StudyInstanceUID),
        ReferencedSeriesSequence: [...bySeries].map(([seriesUid, seriesImages]) => ({
          SeriesInstanceUID: seriesUid,
          ReferencedSOPSequence: seriesImages.map((i) => ({
            ReferencedSOPClassUID: i.sopClassUid,
            ReferencedSOPInstanceUID: i.sopInstanceUid,
          })),
        })),
      },
    ],
    ContentSequence: [
      ...(description !== ''
        ? [
            {
              RelationshipType: 'CONTAINS',
              ValueType: 'TEXT',
              ConceptNameCodeSequence: code('113012', 'DCM', 'Key Object Description'),
              TextValue: description,
            },
          ]
        : []),
      ...images.map((image) => ({
        RelationshipType: 'CONTAINS',
        ValueType: 'IMAGE',
        ReferencedSOPSequence: [reference(image)],
      })),
    ],
  };
}

/** Stores a study's key images as a new KOS with STOW-RS. */
export async function storeKeyImages(study: DicomJson, images: KeyImage[], description = ''): Promise<void> {
  const document = keyImageDocument(study, images, description);
  await storeInstances([dcmjs.data.datasetToDict(document).write()]);
}
