import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { searchStudies, studySeries } from '../dicomweb/archive-client';
import {
  displayPersonName,
  JsonTag,
  numberOf,
  textOf,
  textsOf,
  type DicomJson,
} from '../dicomweb/dicom-json';
import { SeriesThumbnail } from '../viewer/series-thumbnail';
import { prefetchViewer } from '../viewer/viewer-loader';
import { ViewerMark } from '../viewer/viewer-timing';
import { listOrders } from '../ris/ris-api';
import type { OrderView } from '../ris/ris-types';
import { PriorityTag, StatusChip } from '../ris/ris-widgets';
import type { ActiveEmergency } from '../security/emergency-access';
import { EmergencyAccessDialog } from '../security/emergency-ui';
import { formatDicomDate } from '../settings/date-format';
import { DEFAULT_SETTINGS, saveStudyListSort, type UserSettings } from '../settings/user-settings';
import { SortHeader } from './sort-header';
import { settingsOfSort, startingSearch } from './study-list-defaults';
import { EMPTY_SEARCH, nextSort, studyQuery, type StudySearch, type StudySortKey } from './study-search';

/** The viewer's deep link for studies (IHE IID style: `/viewer?StudyInstanceUIDs=…`). */
export function viewerLink(studyUids: string[]): string {
  return `/viewer?StudyInstanceUIDs=${studyUids.map(encodeURIComponent).join(',')}`;
}

/**
 * The study list: search form, one page of studies from QIDO-RS, sorted by a column and paged by the
 * server, open in the viewer. It opens with the user's own search (date range, modalities), page size
 * and the order they last sorted it in, which each new order replaces in their settings.
 */
export function StudyListPage({
  navigate: go,
  settings = DEFAULT_SETTINGS,
  onSettingsSaved,
  showExamStatus = false,
  accessVersion = 0,
  onEmergencyStarted,
}: {
  navigate: (to: string) => void;
  /** The user's settings: the list's first search and order, its page size and how dates are written. */
  settings?: UserSettings;
  /** Takes in the settings as saved with the list's new order (the next visit opens in it). */
  onSettingsSaved?: (settings: UserSettings) => void;
  /** The user may see orders: the list then shows each study's exam status from the RIS. */
  showExamStatus?: boolean;
  /** Changes when what the user may see changes (emergency access started or ended): the search runs again. */
  accessVersion?: number;
  /** Given when the user may break the glass now: the list offers emergency access. */
  onEmergencyStarted?: (emergency: ActiveEmergency) => void;
}) {
  const navigate = (to: string) => {
    performance.mark(ViewerMark.OpenStudy);
    go(to);
  };
  const pageSize = settings.studyList.pageSize;
  const displayDate = (date: string) => formatDicomDate(date, settings.display.dateFormat);
  // Read once: the list starts with the user's search, then it is theirs to change.
  const [form, setForm] = useState<StudySearch>(() => startingSearch(settings.studyList));
  const [search, setSearch] = useState<StudySearch>(form);
  const [offset, setOffset] = useState(0);
  const [studies, setStudies] = useState<DicomJson[]>([]);
  const [more, setMore] = useState(false);
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');
  const [error, setError] = useState('');
  const [expanded, setExpanded] = useState<{ uid: string; series: DicomJson[] } | null>(null);
  const [exams, setExams] = useState<ReadonlyMap<string, OrderView>>(new Map());
  const [askingEmergency, setAskingEmergency] = useState(false);

  useEffect(() => {
    if (!showExamStatus || studies.length === 0) return;
    const abort = new AbortController();
    const uids = studies.map((s) => textOf(s, JsonTag.StudyInstanceUID)).filter(Boolean);
    listOrders({ studyInstanceUids: uids, limit: uids.length }, abort.signal)
      .then((orders) => setExams(new Map(orders.map((o) => [o.studyInstanceUid, o]))))
      .catch(() => undefined); // the list works without the RIS column
    return () => abort.abort();
  }, [showExamStatus, studies]);

  useEffect(() => {
    const abort = new AbortController();
    setState('loading');
    searchStudies(studyQuery(search, { offset, limit: pageSize }), abort.signal)
      .then((page) => {
        setStudies(page.results);
        setMore(page.more);
        setState('ready');
      })
      .catch((e: unknown) => {
        if (abort.signal.aborted) return;
        setError(e instanceof Error ? e.message : String(e));
        setState('failed');
      });
    return () => abort.abort();
  }, [search, offset, pageSize, accessVersion]);

  const submit = useCallback(
    (event: FormEvent) => {
      event.preventDefault();
      setOffset(0);
      setSearch({ ...form });
    },
    [form],
  );
  // A new order is a new search (the same keys): from its first page, kept when the form is searched again,
  // and kept in the user's settings for the next time the list opens, on any workstation.
  const sortBy = (key: StudySortKey) => {
    const sort = nextSort(search.sort, key);
    setOffset(0);
    setSearch({ ...search, sort });
    setForm({ ...form, sort });
    saveStudyListSort(settingsOfSort(sort))
      .then((saved) => onSettingsSaved?.(saved))
      // The list is sorted all the same; only the next visit opens in its former order.
      .catch((e: unknown) => console.warn('study list order not saved', e));
  };
  const sortHeader = (label: string, key: StudySortKey) => (
    <SortHeader label={label} sortKey={key} sort={search.sort} onSort={sortBy} />
  );
  const field = (name: Exclude<keyof StudySearch, 'sort'>) => ({
    name,
    value: String(form[name]),
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [name]: e.target.value }),
  });

  return (
    <main className="study-list">
      <form className="study-search" onSubmit={submit} aria-label="Search studies">
        <label>
          Patient name
          <input {...field('patientName')} placeholder="Doe^J*" />
        </label>
        <label className="checkbox">
          <input
            type="checkbox"
            name="fuzzy"
            checked={form.fuzzy}
            onChange={(e) => setForm({ ...form, fuzzy: e.target.checked })}
          />
          sounds like
        </label>
        <label>
          Patient ID
          <input {...field('patientId')} />
        </label>
        <label>
          Accession
          <input {...field('accessionNumber')} />
        </label>
        <label>
          From
          <input type="date" {...field('dateFrom')} />
        </label>
        <label>
          To
          <input type="date" {...field('dateTo')} />
        </label>
        <label>
          Modality
          <input {...field('modality')} size={4} placeholder="CT" />
        </label>
        <label>
          Description
          <input {...field('studyDescription')} />
        </label>
        <label>
          Referring physician
          <input {...field('referringPhysicianName')} />
        </label>
        <button type="submit">Search</button>
        <button
          type="button"
          onClick={() => {
            // Clearing the keys keeps the order the user chose: it is how they read the list.
            const cleared = { ...EMPTY_SEARCH, sort: search.sort };
            setForm(cleared);
            setOffset(0);
            setSearch(cleared);
          }}
        >
          Clear
        </button>
      </form>
      {onEmergencyStarted !== undefined && (
        <p className="emergency-entry">
          Studies outside your access are not listed. In an emergency you can see them all for a while:{' '}
          <button type="button" className="danger subtle" onClick={() => setAskingEmergency(true)}>
            Emergency access…
          </button>
        </p>
      )}
      {askingEmergency && onEmergencyStarted !== undefined && (
        <EmergencyAccessDialog
          onStarted={(emergency) => {
            setAskingEmergency(false);
            onEmergencyStarted(emergency);
          }}
          onCancel={() => setAskingEmergency(false)}
        />
      )}
      {state === 'failed' && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <table className="studies" aria-busy={state === 'loading'}>
        <thead>
          <tr>
            <th aria-label="Series" />
            {sortHeader('Patient name', 'PatientName')}
            {sortHeader('Patient ID', 'PatientID')}
            {sortHeader('Birth date', 'PatientBirthDate')}
            {sortHeader('Study date', 'StudyDate')}
            {sortHeader('Modality', 'ModalitiesInStudy')}
            {sortHeader('Description', 'StudyDescription')}
            {sortHeader('Accession', 'AccessionNumber')}
            {sortHeader('Referring', 'ReferringPhysicianName')}
            {sortHeader('Series / images', 'NumberOfStudyRelatedInstances')}
            {showExamStatus && <th>Exam</th>}
          </tr>
        </thead>
        <tbody>
          {studies.map((study) => {
            const uid = textOf(study, JsonTag.StudyInstanceUID);
            const open = expanded?.uid === uid;
            const exam = exams.get(uid);
            return [
              <tr
                key={uid}
                data-study-uid={uid}
                tabIndex={0}
                // Pointing at a study (or focusing it) fetches the viewer, so it opens without waiting.
                onPointerEnter={prefetchViewer}
                onFocus={prefetchViewer}
                onDoubleClick={() => navigate(viewerLink([uid]))}
                onKeyDown={(e) => e.key === 'Enter' && navigate(viewerLink([uid]))}
              >
                <td>
                  <button
                    className="expand"
                    aria-expanded={open}
                    aria-label="Show series"
                    onClick={() => {
                      if (open) setExpanded(null);
                      else void studySeries(uid).then((series) => setExpanded({ uid, series }));
                    }}
                  >
                    {open ? '▾' : '▸'}
                  </button>
                </td>
                <td>
                  <a
                    href={viewerLink([uid])}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(viewerLink([uid]));
                    }}
                  >
                    {displayPersonName(textOf(study, JsonTag.PatientName)) || '(no name)'}
                  </a>
                </td>
                <td>{textOf(study, JsonTag.PatientID)}</td>
                <td>{displayDate(textOf(study, JsonTag.PatientBirthDate))}</td>
                <td>{displayDate(textOf(study, JsonTag.StudyDate))}</td>
                <td>{textsOf(study, JsonTag.ModalitiesInStudy).join(', ')}</td>
                <td>{textOf(study, JsonTag.StudyDescription)}</td>
                <td>{textOf(study, JsonTag.AccessionNumber)}</td>
                <td>{displayPersonName(textOf(study, JsonTag.ReferringPhysicianName))}</td>
                <td>
                  {numberOf(study, JsonTag.NumberOfStudyRelatedSeries) ?? '?'} /{' '}
                  {numberOf(study, JsonTag.NumberOfStudyRelatedInstances) ?? '?'}
                </td>
                {showExamStatus && (
                  <td className="exam-status">
                    {exam !== undefined && (
                      <>
                        <StatusChip status={exam.status} reason={exam.statusReason} />{' '}
                        {exam.priority !== 'ROUTINE' && <PriorityTag priority={exam.priority} />}
                      </>
                    )}
                  </td>
                )}
              </tr>,
              open && (
                <tr key={`${uid}-series`} className="series-row">
                  <td colSpan={showExamStatus ? 11 : 10}>
                    <div className="series-thumbnails">
                      {expanded.series.map((s) => {
                        const seriesUid = textOf(s, JsonTag.SeriesInstanceUID);
                        return (
                          <figure key={seriesUid}>
                            <SeriesThumbnail
                              studyUid={uid}
                              seriesUid={seriesUid}
                              modality={textOf(s, JsonTag.Modality)}
                              size={96}
                            />
                            <figcaption>
                              {textOf(s, JsonTag.Modality)} {textOf(s, JsonTag.SeriesDescription)} (
                              {numberOf(s, JsonTag.NumberOfSeriesRelatedInstances) ?? '?'})
                            </figcaption>
                          </figure>
                        );
                      })}
                    </div>
                  </td>
                </tr>
              ),
            ];
          })}
          {state === 'ready' && studies.length === 0 && (
            <tr>
              <td colSpan={showExamStatus ? 11 : 10} className="empty">
                No studies match.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <nav className="pager" aria-label="Pages">
        <button disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - pageSize))}>
          Previous
        </button>
        <span>
          {studies.length === 0 ? 0 : offset + 1}–{offset + studies.length}
        </span>
        <button disabled={!more} onClick={() => setOffset(offset + pageSize)}>
          Next
        </button>
      </nav>
    </main>
  );
}
