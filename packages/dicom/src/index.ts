/**
 * @lightbox/dicom: the DICOM core shared by server and browser. Pure TypeScript, no Node built-ins.
 */
export * from './vr.js';
export * from './tag.js';
export * from './data-set.js';
export * from './parse-error.js';
export * from './transfer-syntax.js';
export * from './dictionary/index.js';
export * from './charset/index.js';
export {
  readPart10,
  readDataSetIn,
  type Part10Object,
  type Part10ReadOptions,
} from './reader/read-part10.js';
export type { ReadOptions } from './reader/read-data-set.js';
export {
  encodeDataSet,
  encodedLength,
  isBulkReference,
  type BulkReference,
  type EncodedChunk,
  type Encoding,
} from './writer/encode-data-set.js';
export {
  buildFileMeta,
  encodePart10,
  encodePart10Header,
  type Part10HeaderFields,
  writePart10,
  IMPLEMENTATION_CLASS_UID,
  IMPLEMENTATION_VERSION_NAME,
  type Part10WriteOptions,
} from './writer/encode-part10.js';
export * from './values/read-values.js';
export * from './json/dicom-json.js';
export { toDicomJson, type ElementPath, type ToDicomJsonOptions } from './json/to-dicom-json.js';
export { fromDicomJson, DicomJsonError, type FromDicomJsonOptions } from './json/from-dicom-json.js';
export {
  toNativeDicomModel,
  NATIVE_DICOM_MODEL_NAMESPACE,
  type NativeDicomModelOptions,
} from './xml/to-native-dicom-model.js';
export { generateUid, isStorableUid, isValidUid } from './uid/generate-uid.js';
export { frameRanges, type ByteRange, type FrameRanges } from './pixel-data/frame-ranges.js';
