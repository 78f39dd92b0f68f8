import type { StudySort, StudySortKey } from './study-search';

/**
 * A column header of the study list that sorts it: a button (keyboard and screen readers reach it),
 * `aria-sort` on the header of the column the list is in the order of, and an arrow beside its label.
 */
export function SortHeader({
  label,
  sortKey,
  sort,
  onSort,
}: {
  label: string;
  sortKey: StudySortKey;
  sort: StudySort;
  onSort: (key: StudySortKey) => void;
}) {
  const sorted = sort.key === sortKey;
  const direction = sort.descending ? 'descending' : 'ascending';
  return (
    <th aria-sort={sorted ? direction : undefined}>
      <button type="button" className="sort-header" onClick={() => onSort(sortKey)}>
        {label}
        <span className="sort-arrow" aria-hidden="true">
          {sorted ? (sort.descending ? '▼' : '▲') : ''}
        </span>
      </button>
    </th>
  );
}
