/**
 * Which attributes belong to the patient, study and series levels of the information model
 * (PS3.3 modules: Patient, Clinical Trial Subject, General Study, Patient Study, Clinical Trial Study,
 * General Series, General Equipment, Frame of Reference, …). Attributes at these levels are kept once per
 * patient/study/series in the index and returned by QIDO-RS and C-FIND at that level; everything else is
 * instance level.
 */

/** Patient level (PS3.3 C.7.1.1 Patient, C.7.1.3 Clinical Trial Subject). */
export const PATIENT_LEVEL_TAGS: ReadonlySet<number> = new Set([
  0x00100010, 0x00100020, 0x00100021, 0x00100022, 0x00100024, 0x00100026, 0x00100027, 0x00100028,
  0x00100030, 0x00100032, 0x00100033, 0x00100034, 0x00100035, 0x00100040, 0x00100200, 0x00100212,
  0x00100213, 0x00100214, 0x00100215, 0x00100216, 0x00100217, 0x00100218, 0x00100219, 0x00100221,
  0x00100222, 0x00100223, 0x00100229, 0x00101000, 0x00101001, 0x00101002, 0x00101100, 0x00102160,
  0x00102201, 0x00102202, 0x00102292, 0x00102293, 0x00102294, 0x00102295, 0x00102296, 0x00102297,
  0x00102298, 0x00102299, 0x00104000, 0x00120010, 0x00120020, 0x00120021, 0x00120030, 0x00120031,
  0x00120040, 0x00120042, 0x00120062, 0x00120063, 0x00120064, 0x00120081, 0x00120082,
]); // prettier-ignore

/** Study level (PS3.3 C.7.2.1 General Study, C.7.2.2 Patient Study, C.7.2.3 Clinical Trial Study). */
export const STUDY_LEVEL_TAGS: ReadonlySet<number> = new Set([
  0x00080020, 0x00080030, 0x00080050, 0x00080051, 0x00080090, 0x00080096, 0x0008009c, 0x0008009d,
  0x00080201, 0x00081030, 0x00081032, 0x00081048, 0x00081049, 0x00081060, 0x00081062, 0x00081080,
  0x00081084, 0x00081110, 0x0020000d, 0x00200010, 0x00101010, 0x00101020, 0x00101021, 0x00101022,
  0x00101023, 0x00101024, 0x00101030, 0x00102000, 0x00102110, 0x00102180, 0x001021a0, 0x001021b0,
  0x001021c0, 0x001021d0, 0x00102203, 0x00120050, 0x00120051, 0x00120083, 0x00321033, 0x00321034,
  0x00321066, 0x00321067, 0x00380010, 0x00380014, 0x00380060, 0x00380062, 0x00380064, 0x00401012,
  0x0040a370,
]); // prettier-ignore

/** Series level (PS3.3 C.7.3.1 General Series, C.7.5.1 General Equipment, C.7.4.1 Frame of Reference). */
export const SERIES_LEVEL_TAGS: ReadonlySet<number> = new Set([
  0x00080021, 0x00080031, 0x00080060, 0x00080070, 0x00080080, 0x00080081, 0x00081010, 0x0008103e,
  0x0008103f, 0x00081040, 0x00081050, 0x00081052, 0x00081070, 0x00081072, 0x00081090, 0x00081111,
  0x00081250, 0x00180015, 0x00181000, 0x00181002, 0x00181008, 0x00181020, 0x00181030, 0x00181050,
  0x00181200, 0x00181201, 0x00185100, 0x00200011, 0x0020000e, 0x00200052, 0x00200060, 0x00201040,
  0x00280108, 0x00280109, 0x00400244, 0x00400245, 0x00400250, 0x00400251, 0x00400253, 0x00400254,
  0x00400260, 0x00400261, 0x00400275, 0x00400280, 0x0040a372,
]); // prettier-ignore

/** The level of an attribute: 'patient', 'study', 'series' or 'instance'. */
export function levelOfTag(tag: number): 'patient' | 'study' | 'series' | 'instance' {
  if (PATIENT_LEVEL_TAGS.has(tag)) return 'patient';
  if (STUDY_LEVEL_TAGS.has(tag)) return 'study';
  if (SERIES_LEVEL_TAGS.has(tag)) return 'series';
  return 'instance';
}
