import { displayPersonName, JsonTag, textOf, type DicomJson } from '../dicomweb/dicom-json';
import { formatDicomDate } from '../settings/date-format';
import type { DateFormat } from '../settings/user-settings';

/** The top-left corner of a viewport's overlay: whose study it is (name, ID, study date). */
export function PatientOverlay({
  study,
  dateFormat,
}: {
  study: DicomJson | undefined;
  dateFormat: DateFormat;
}) {
  return (
    <div className="top-left">
      <div>{displayPersonName(textOf(study ?? {}, JsonTag.PatientName))}</div>
      <div>{textOf(study ?? {}, JsonTag.PatientID)}</div>
      <div className="study-date">{formatDicomDate(textOf(study ?? {}, JsonTag.StudyDate), dateFormat)}</div>
    </div>
  );
}
