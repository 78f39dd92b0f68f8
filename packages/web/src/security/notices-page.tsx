import { useCallback, useEffect, useState } from 'react';
import { errorText } from '../ris/ris-api';
import { acknowledgeNotice, listNotices, localDateTime, type Notice } from './notices';

/**
 * Notices for security officers and administrators (emergency access, intrusion alerts): newest first,
 * each acknowledged once in the name of whoever did it. `onChanged` is told how many remain open.
 */
export function NoticesPage({ onChanged }: { onChanged: (unacknowledged: number) => void }) {
  const [all, setAll] = useState(false);
  const [notices, setNotices] = useState<Notice[] | null>(null);
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState<number | null>(null);

  const load = useCallback(
    async (signal?: AbortSignal) => {
      const listed = await listNotices(all, signal);
      setNotices(listed);
      onChanged(listed.filter((n) => n.acknowledgedAt === null).length);
    },
    [all, onChanged],
  );
  useEffect(() => {
    const abort = new AbortController();
    load(abort.signal).catch((e: unknown) => {
      if (!abort.signal.aborted) setMessage(errorText(e));
    });
    return () => abort.abort();
  }, [load]);

  const acknowledge = async (notice: Notice) => {
    setBusy(notice.id);
    try {
      await acknowledgeNotice(notice.id);
      setMessage(`Acknowledged: ${notice.subject}`);
    } catch (e) {
      setMessage(errorText(e));
    }
    try {
      await load();
    } catch (e) {
      setMessage(errorText(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <main className="admin-page notices-page">
      <h1>Notices</h1>
      <div className="notices-toolbar">
        <label className="checkbox">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />
          Show acknowledged notices too
        </label>
        <button type="button" onClick={() => void load().catch((e: unknown) => setMessage(errorText(e)))}>
          Refresh
        </button>
      </div>
      {message !== '' && <p role="status">{message}</p>}
      {notices !== null && notices.length === 0 && (
        <p className="muted">{all ? 'No notices yet.' : 'No notices need your attention.'}</p>
      )}
      <ul className="notice-list" aria-label="Notices">
        {(notices ?? []).map((notice) => {
          const headingId = `notice-${notice.id}`;
          return (
            <li key={notice.id}>
              <article
                className={`notice-card${notice.acknowledgedAt === null ? ' open' : ''}`}
                aria-labelledby={headingId}
                data-notice-id={notice.id}
              >
                <header>
                  <h2 id={headingId}>{notice.subject}</h2>
                  <time dateTime={notice.createdAt}>{localDateTime(notice.createdAt)}</time>
                  <span className="notice-audience">to {notice.audience}</span>
                </header>
                <p className="notice-body">{notice.body}</p>
                {notice.acknowledgedAt === null ? (
                  <button
                    type="button"
                    className="primary"
                    aria-describedby={headingId}
                    disabled={busy === notice.id}
                    onClick={() => void acknowledge(notice)}
                  >
                    Acknowledge
                  </button>
                ) : (
                  <p className="notice-acknowledged">
                    Acknowledged by {notice.acknowledgedBy ?? 'someone'} at{' '}
                    {localDateTime(notice.acknowledgedAt)}
                  </p>
                )}
              </article>
            </li>
          );
        })}
      </ul>
    </main>
  );
}
