import type { SyntheticImageAttributes } from './synthetic-ct.js';

/** The size of a synthetic archive. */
export interface ArchiveScale {
  studies: number;
  instancesPerStudy: number;
}

/** Series per study: one per five instances (a 10-instance study has two series), at least one. */
export function seriesPerStudy(scale: ArchiveScale): number {
  return Math.max(1, Math.round(scale.instancesPerStudy / 5));
}

/** Patients: about 2.5 studies each, as in a hospital archive. */
export function patientCount(scale: ArchiveScale): number {
  return Math.max(1, Math.floor(scale.studies / 2.5));
}

/** A 32-bit integer hash of (n, salt) (murmur3's finaliser): deterministic, well spread. */
export function hash32(n: number, salt: number): number {
  let h = (Math.imul(n ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(salt + 1, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const UID_KIND = { study: 1, series: 2, instance: 3 } as const;
const UID_EPOCH_MS = 1_600_000_000_000;

/**
 * A deterministic UID under 2.25 (PS3.5 §B.2) from a time-ordered (version 7 layout) UUID: the 48-bit
 * "timestamp" is the ordinal, so UIDs made in order sort in order, like those of a modality that stamps
 * them with the acquisition time.
 */
export function benchUid(kind: keyof typeof UID_KIND, ordinal: number): string {
  const ts = BigInt(UID_EPOCH_MS + ordinal);
  const randA = BigInt((UID_KIND[kind] << 8) | (hash32(ordinal, 7) & 0xff));
  const randB = (BigInt(hash32(ordinal, UID_KIND[kind])) << 30n) | BigInt(hash32(ordinal, 11) & 0x3fffffff);
  const value = (ts << 80n) | (0x7n << 76n) | (randA << 64n) | (0x2n << 62n) | randB;
  return `2.25.${value.toString()}`;
}

// Surnames from frequent stems and endings: 600 names, so that a three-letter prefix finds 0.5–3 % of
// the patients, as in a real population.
const STEMS = [
  'SMI', 'JOHN', 'WIL', 'BRO', 'JON', 'MIL', 'DAV', 'GAR', 'ROD', 'MAR', 'HER', 'LOP', 'GON', 'AND',
  'THOM', 'TAY', 'MOO', 'JACK', 'MART', 'LEE', 'PER', 'WHI', 'HAR', 'SAN', 'CLAR', 'RAM', 'LEW', 'ROB',
  'WAL', 'YOUNG', 'ALL', 'KING', 'WRIGHT', 'SCOT', 'TOR', 'NGU', 'HILL', 'FLOR', 'GREEN', 'ADAM', 'NEL',
  'BAK', 'HALL', 'RIV', 'CAMP', 'MITCH', 'CART', 'MUL', 'SCHN', 'FISCH', 'WEB', 'MEY', 'WAG', 'BECK',
  'SCHUL', 'HOFF', 'KOCH', 'RICHT', 'KLEIN', 'WOLF',
]; // prettier-ignore
const ENDINGS = ['', 'TH', 'SON', 'ER', 'EZ', 'MAN', 'LEY', 'TON', 'ING', 'ES'];
const GIVEN = [
  'JAMES', 'MARY', 'JOHN', 'PATRICIA', 'ROBERT', 'JENNIFER', 'MICHAEL', 'LINDA', 'WILLIAM', 'ELIZABETH',
  'DAVID', 'BARBARA', 'RICHARD', 'SUSAN', 'JOSEPH', 'JESSICA', 'THOMAS', 'SARAH', 'CHARLES', 'KAREN',
  'ANNA', 'LUKAS', 'SOPHIE', 'JONAS', 'MARIE', 'ELIAS', 'EMMA', 'FELIX', 'MIA', 'PAUL', 'LEA', 'NOAH',
  'CLARA', 'LEON', 'HANNAH', 'BEN', 'LINA', 'FINN', 'EMILIA', 'LUCA',
]; // prettier-ignore

/** Family name number `n` (0 ≤ n < {@link SURNAME_COUNT}). */
export function surname(n: number): string {
  return `${STEMS[n % STEMS.length]!}${ENDINGS[Math.floor(n / STEMS.length) % ENDINGS.length]!}`;
}
/** How many distinct surnames the generator uses. */
export const SURNAME_COUNT = STEMS.length * ENDINGS.length;

const MODALITIES: Array<[string, number, string, number, number]> = [
  // modality, weight, body part, rows, columns
  ['CT', 35, 'CHEST', 512, 512],
  ['MR', 22, 'HEAD', 256, 256],
  ['CR', 14, 'CHEST', 2500, 2048],
  ['DX', 10, 'HAND', 2800, 2300],
  ['US', 10, 'ABDOMEN', 600, 800],
  ['MG', 5, 'BREAST', 3328, 2560],
  ['PT', 4, 'WHOLEBODY', 192, 192],
];
const MODALITY_WEIGHT = MODALITIES.reduce((n, m) => n + m[1], 0);
const INSTITUTIONS = 20;
/** How many distinct private site codes exist (each in about 1/SITE_CODES of the studies). */
export const SITE_CODES = 50;

const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(2015, 0, 1);
/** Study dates span ten years from 2015-01-01. */
export const DATE_SPAN_DAYS = 3652;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function dicomDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
}

/** The patient of study `i`. */
export function patientOf(scale: ArchiveScale, i: number): number {
  return i % patientCount(scale);
}

/** PatientID of patient `p`. */
export function patientId(p: number): string {
  return `P${pad(p, 8)}`;
}

/** Surname number of patient `p`. */
export function patientSurname(p: number): number {
  return hash32(p, 1) % SURNAME_COUNT;
}

/** AccessionNumber of study `i`. */
export function accessionNumber(i: number): string {
  return `A${pad(i + 1, 9)}`;
}

/** Modality of study `i`. */
export function studyModality(i: number): string {
  let pick = hash32(i, 4) % MODALITY_WEIGHT;
  for (const m of MODALITIES) {
    if (pick < m[1]) return m[0];
    pick -= m[1];
  }
  return 'CT';
}

/** Every modality the generator uses. */
export const MODALITY_NAMES = MODALITIES.map((m) => m[0]);

/** StudyDate of study `i` (YYYYMMDD). */
export function studyDate(i: number): string {
  return dicomDate(FIRST_DAY + (hash32(i, 3) % DATE_SPAN_DAYS) * DAY_MS);
}

/** Site code (private attribute) of study `i`. */
export function siteCode(i: number): string {
  return `SITE${pad(hash32(i, 9) % SITE_CODES, 2)}`;
}

/**
 * The attributes of instance `k` of study `i`, deterministic: patients, names, dates, modalities,
 * accession numbers, institutions and private site codes spread like a hospital archive's.
 */
export function syntheticInstance(scale: ArchiveScale, i: number, k: number): SyntheticImageAttributes {
  const perSeries = Math.ceil(scale.instancesPerStudy / seriesPerStudy(scale));
  const seriesIndex = Math.floor(k / perSeries);
  const p = patientOf(scale, i);
  const [modality, , bodyPart, rows, columns] = MODALITIES.find((m) => m[0] === studyModality(i))!;
  const referring = hash32(i, 6);
  const seconds = hash32(i, 5) % 86_400;
  const birth = FIRST_DAY - (hash32(p, 2) % (80 * 365)) * DAY_MS - 5 * 365 * DAY_MS;
  return {
    patientId: patientId(p),
    patientName: `${surname(patientSurname(p))}^${GIVEN[hash32(p, 12) % GIVEN.length]!}`,
    patientBirthDate: dicomDate(birth),
    patientSex: hash32(p, 13) % 2 === 0 ? 'F' : 'M',
    studyUid: benchUid('study', i),
    seriesUid: benchUid('series', i * seriesPerStudy(scale) + seriesIndex),
    sopUid: benchUid('instance', i * scale.instancesPerStudy + k),
    studyDate: studyDate(i),
    studyTime: `${pad(Math.floor(seconds / 3600), 2)}${pad(Math.floor(seconds / 60) % 60, 2)}${pad(seconds % 60, 2)}`,
    accessionNumber: accessionNumber(i),
    studyId: String(i + 1),
    studyDescription: `${modality} ${bodyPart}`,
    referringPhysicianName: `${surname(referring % SURNAME_COUNT)}^${GIVEN[referring % GIVEN.length]!}`,
    modality,
    seriesNumber: seriesIndex + 1,
    seriesDescription: `${bodyPart} series ${seriesIndex + 1}`,
    bodyPartExamined: bodyPart,
    institutionName: `Hospital ${hash32(i, 8) % INSTITUTIONS}`,
    siteCode: siteCode(i),
    instanceNumber: k - seriesIndex * perSeries + 1,
    rows,
    columns,
  };
}
