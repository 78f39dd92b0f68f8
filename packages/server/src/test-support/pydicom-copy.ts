import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateUid, getString, readPart10, Tag } from '@lightbox/dicom';

const run = promisify(execFile);

/** Debian's python3-pydicom test files: third-party objects in many SOP classes and syntaxes. */
export const PYDICOM_TEST_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

/** A copy of a pydicom test file, with the UIDs it holds after the change. */
export interface PydicomCopy {
  file: string;
  bytes: Buffer;
  studyUid: string;
  seriesUid: string;
  sopInstanceUid: string;
  sopClassUid: string;
  modality: string | undefined;
  transferSyntaxUid: string;
}

/** What to change in the copy: new UIDs (generated), and attributes set (`gggg,eeee` → value). */
export interface CopyChanges {
  newStudy?: boolean;
  newSeries?: boolean;
  set?: Record<string, string>;
}

/**
 * Copies a pydicom test file into `dir` with a new SOP Instance UID and the changes asked for (DCMTK's
 * dcmodify rewrites it as a valid object): pydicom's variants of one image share their UIDs, so each
 * copy can be stored as an instance of its own.
 */
export async function pydicomCopy(
  dir: string,
  name: string,
  changes: CopyChanges = {},
): Promise<PydicomCopy> {
  const file = path.join(dir, `${generateUid()}.dcm`);
  await writeFile(file, await readFile(path.join(PYDICOM_TEST_FILES, name)));
  const inserts = Object.entries(changes.set ?? {}).flatMap(([tag, value]) => ['-i', `(${tag})=${value}`]);
  const generate = [...(changes.newStudy ? ['-gst'] : []), ...(changes.newSeries ? ['-gse'] : []), '-gin'];
  await run('dcmodify', ['-nb', ...generate, ...inserts, file]);
  const bytes = await readFile(file);
  const { dataSet, transferSyntaxUid } = await readPart10(bytes);
  return {
    file,
    bytes,
    studyUid: getString(dataSet, Tag.StudyInstanceUID)!,
    seriesUid: getString(dataSet, Tag.SeriesInstanceUID)!,
    sopInstanceUid: getString(dataSet, Tag.SOPInstanceUID)!,
    sopClassUid: getString(dataSet, Tag.SOPClassUID)!,
    modality: getString(dataSet, Tag.Modality),
    transferSyntaxUid,
  };
}
