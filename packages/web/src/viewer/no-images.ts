import { JsonTag, textOf, type DicomJson } from '../dicomweb/dicom-json';

/** What the objects of a modality that holds no images are, in the reader's words (PS3.3 C.7.3.1.1.1). */
const DOCUMENT_KINDS: Record<string, string> = {
  SR: 'structured report',
  KO: 'key object selection',
  PR: 'presentation state',
  DOC: 'document',
  SEG: 'segmentation',
  RTSTRUCT: 'RT structure set',
  RTPLAN: 'RT plan',
  RTRECORD: 'RT treatment record',
  ECG: 'ECG waveform',
  HD: 'haemodynamic waveform',
  EPS: 'electrophysiology waveform',
  RESP: 'respiratory waveform',
  AU: 'audio',
  REG: 'registration',
  FID: 'fiducials',
  PLAN: 'plan',
  EEG: 'EEG waveform',
  EMG: 'EMG waveform',
  EOG: 'EOG waveform',
  M3D: '3D model',
  RWV: 'real world value map',
  ASMT: 'content assessment',
  RTINTENT: 'RT physician intent',
  RTSEGANN: 'RT segment annotation',
  RTRAD: 'RT radiation',
  SMR: 'stereometric relationship',
  POS: 'position sensor',
  OPV: 'visual field measurements',
  KER: 'keratometry',
  LEN: 'lensometry',
  AR: 'autorefraction',
  SRF: 'subjective refraction',
  VA: 'visual acuity',
  OAM: 'ophthalmic axial measurements',
  IOL: 'intraocular lens calculation',
};

/** Whether a series of this modality holds documents, waveforms or plans rather than images. */
export function isDocumentModality(modality: string): boolean {
  return Object.hasOwn(DOCUMENT_KINDS, modality);
}

/** A series' kind of object, e.g. "structured report (SR)"; the modality alone when it has no name here. */
export function documentKind(series: DicomJson | undefined): string {
  const modality = textOf(series ?? {}, JsonTag.Modality);
  const kind = DOCUMENT_KINDS[modality];
  if (kind !== undefined) return `${kind} (${modality})`;
  return modality !== '' ? modality : 'objects without a modality';
}

/** What the viewer says for a study none of whose series holds images: what the study holds instead. */
export function studyWithoutImagesNotice(series: readonly DicomJson[]): string {
  const kinds = [...new Set(series.map(documentKind))];
  if (kinds.length === 0) return 'This study holds no series to show.';
  return `This study holds no images to show, only: ${kinds.join(', ')}.`;
}

/** What a viewport says when the series it shows holds no images (an RT plan, a waveform, …). */
export function seriesWithoutImagesNotice(series: DicomJson | undefined): string {
  return `This series holds no images to show: ${documentKind(series)}.`;
}
