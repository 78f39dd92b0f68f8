import { sql, type RawBuilder } from 'kysely';
import type { StudyOrderAttribute, StudyOrderKey } from '../archive/query/study-order.js';

/**
 * A sort key of a query: the expression (a column, or SQL over the columns of `st` and `p`), the name it
 * has among a page's candidates (a key's own, or o0, o1, …), and the direction.
 */
export type SortKey = [expression: string | RawBuilder<unknown>, name: string, direction: string];

/**
 * A person name in list order: its search column (normalised: upper case, accents folded, so the order
 * ignores both), with `^` read as a space, so that the family name sorts before the given name: `^`
 * comes after every letter, and DOEBLE^ANN would sort before DOE^JOHN.
 */
function personName(column: string): RawBuilder<unknown> {
  return sql`replace(${sql.ref(column)}, '^', ' ')`;
}

// The expressions of each attribute, most significant first. Text without a search column sorts as
// stored (identifiers: byte order on both engines, PostgreSQL's columns being collated "C"), except the
// description, which people read as words: upper() folds ASCII alike on both. An empty Patient ID is
// stored as '' (the column is NOT NULL) and is made NULL to sort with the other empty values.
const EXPRESSIONS: Record<StudyOrderAttribute, readonly (string | RawBuilder<unknown>)[]> = {
  StudyDate: ['st.study_date', 'st.study_time'],
  StudyTime: ['st.study_time'],
  PatientName: [personName('p.patient_name_search')],
  PatientID: [sql`nullif(${sql.ref('p.patient_id')}, '')`],
  PatientBirthDate: ['p.patient_birth_date'],
  AccessionNumber: ['st.accession_number'],
  StudyID: ['st.study_id'],
  StudyDescription: [sql`upper(${sql.ref('st.study_description')})`],
  ReferringPhysicianName: [personName('st.referring_physician_name_search')],
  ModalitiesInStudy: ['st.modalities_in_study'],
  NumberOfStudyRelatedSeries: ['st.number_of_series'],
  NumberOfStudyRelatedInstances: ['st.number_of_instances'],
};

/**
 * The sort keys of a study search in the order asked for (QIDO-RS `orderby`). Empty values come last in
 * either direction, as in the default order, written out because the engines differ (SQLite sorts NULL
 * first ascending, PostgreSQL last). The study's primary key ends the order, in the direction of the
 * last key, so that pages with offset never repeat or skip a study; `-StudyDate` is thus the default
 * order exactly.
 */
export function studySortKeys(orderBy: readonly StudyOrderKey[]): SortKey[] {
  const keys: SortKey[] = [];
  for (const { attribute, descending } of orderBy) {
    for (const expression of EXPRESSIONS[attribute]) {
      keys.push([expression, `o${keys.length}`, descending ? 'DESC NULLS LAST' : 'ASC NULLS LAST']);
    }
  }
  keys.push(['st.pk', 'st_pk', orderBy.at(-1)?.descending === true ? 'DESC' : 'ASC']);
  return keys;
}
