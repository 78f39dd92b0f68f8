import { useCallback, useEffect, useState } from 'react';
import { ackCodeOf, ackIsBad, mayReplay, segmentName, segmentsOf, stateIsBad } from './hl7-format';
import { errorText, getHl7Message, listHl7Messages, replayHl7Message } from './ris-api';
import { formatTimestamp } from './ris-format';
import type { Hl7MessageDetail, Hl7MessageRow } from './ris-types';
import { Messages, useInterval } from './ris-widgets';

const PAGE_SIZE = 100;
const REFRESH_MS = 15_000;

/** An acknowledgement code, red when the message was refused or failed. */
function AckCode({ code }: { code: string | null }) {
  if (!code) return <span className="muted">—</span>;
  return <span className={`ack ${ackIsBad(code) ? 'ack-bad' : 'ack-ok'}`}>{code}</span>;
}

/** A message's segments, one per line, each led by its name. */
function Segments({ text, label }: { text: string | null; label: string }) {
  const segments = segmentsOf(text);
  if (segments.length === 0) return <p className="muted">No {label.toLowerCase()}.</p>;
  return (
    <ol className="hl7-raw" aria-label={label}>
      {segments.map((segment, i) => (
        <li key={i}>
          <span className="segment-name">{segmentName(segment)}</span>
          {segment.slice(3)}
        </li>
      ))}
    </ol>
  );
}

/**
 * The HL7 interface monitor (issue #6, administrators): every message received and sent, its state and
 * acknowledgement; a message's raw segments and its ACK; replay of a received message that failed.
 */
export function Hl7Page() {
  const [direction, setDirection] = useState<'in' | 'out'>('in');
  const [offset, setOffset] = useState(0);
  const [rows, setRows] = useState<Hl7MessageRow[] | null>(null);
  const [open, setOpen] = useState<Hl7MessageDetail | null>(null);
  const [replayed, setReplayed] = useState<{ id: number; ackCode: string; ack: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');

  const load = useCallback(async () => {
    try {
      setRows(await listHl7Messages(direction, PAGE_SIZE + 1, offset));
    } catch (e) {
      setError(errorText(e));
    }
  }, [direction, offset]);
  useEffect(() => {
    setRows(null);
    void load();
  }, [load]);
  useInterval(() => void load(), REFRESH_MS);

  const show = async (id: number) => {
    if (open?.id === id) return setOpen(null);
    try {
      setOpen(await getHl7Message(id));
      setReplayed(null);
    } catch (e) {
      setError(errorText(e));
    }
  };

  const replay = async (message: Hl7MessageDetail) => {
    setBusy(true);
    try {
      const result = await replayHl7Message(message.id);
      setError('');
      if (result.requeued === true) {
        setReplayed(null);
        setNotice(`Message ${message.controlId} is queued to be sent again.`);
      } else {
        setReplayed({ id: message.id, ...result });
        setNotice(`Message ${message.controlId} replayed: ACK ${result.ackCode || '(none)'}.`);
      }
      await load();
    } catch (e) {
      setError(`Replay of ${message.controlId} failed: ${errorText(e)}`);
    } finally {
      setBusy(false);
    }
  };

  const page = rows?.slice(0, PAGE_SIZE) ?? [];
  const more = (rows?.length ?? 0) > PAGE_SIZE;

  return (
    <main className="ris-page hl7-page">
      <div className="ris-toolbar">
        <h1>HL7 interface</h1>
        <div role="tablist" aria-label="Direction" className="segmented">
          {(['in', 'out'] as const).map((d) => (
            <button
              key={d}
              type="button"
              role="tab"
              aria-selected={direction === d}
              aria-pressed={direction === d}
              onClick={() => {
                setDirection(d);
                setOffset(0);
                setOpen(null);
              }}
            >
              {d === 'in' ? 'Received' : 'Sent'}
            </button>
          ))}
        </div>
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      <Messages notice={notice} error={error} onDismiss={() => setError('')} />
      <div className={`hl7-body${open ? ' with-detail' : ''}`}>
        <table className="ris-table hl7-messages" aria-busy={rows === null}>
          <thead>
            <tr>
              <th>Time</th>
              <th>Type</th>
              <th>Control ID</th>
              <th>{direction === 'in' ? 'Sender' : 'Receiver'}</th>
              <th>State</th>
              <th>ACK</th>
              {direction === 'out' && <th>Attempts</th>}
              <th>Detail</th>
            </tr>
          </thead>
          <tbody>
            {page.map((row) => (
              <tr
                key={row.id}
                data-message-id={row.id}
                data-control-id={row.controlId}
                tabIndex={0}
                aria-selected={open?.id === row.id}
                className={`clickable${open?.id === row.id ? ' selected' : ''}`}
                onClick={() => void show(row.id)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' || e.key === ' ') {
                    e.preventDefault();
                    void show(row.id);
                  }
                }}
              >
                <td className="nowrap">{formatTimestamp(row.createdAt)}</td>
                <td>{row.messageType || '?'}</td>
                <td>{row.controlId}</td>
                <td>
                  {row.sendingApplication ? `${row.sendingApplication} ` : ''}
                  <small className="muted">{row.peer}</small>
                </td>
                <td>
                  <span className={`hl7-state state-${row.state}${stateIsBad(row.state) ? ' bad' : ''}`}>
                    {row.state}
                  </span>
                </td>
                <td>
                  <AckCode code={row.ackCode} />
                </td>
                {direction === 'out' && <td>{row.attempts ?? ''}</td>}
                <td className="detail">{row.detail ?? ''}</td>
              </tr>
            ))}
            {rows !== null && page.length === 0 && (
              <tr>
                <td colSpan={8} className="empty">
                  No messages {direction === 'in' ? 'received' : 'sent'} yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
        {open !== null && (
          <section className="hl7-detail" aria-label={`Message ${open.controlId}`}>
            <h2>
              {open.messageType || '?'} {open.controlId}{' '}
              <span className={`hl7-state state-${open.state}${stateIsBad(open.state) ? ' bad' : ''}`}>
                {open.state}
              </span>{' '}
              <AckCode code={open.ackCode} />
            </h2>
            <p className="muted">
              {formatTimestamp(open.createdAt)} · {open.direction === 'in' ? 'from' : 'to'} {open.peer}
              {open.detail ? ` · ${open.detail}` : ''}
            </p>
            {mayReplay(open) && (
              <p>
                <button type="button" className="primary" disabled={busy} onClick={() => void replay(open)}>
                  {open.direction === 'out' ? 'Send again' : 'Replay'}
                </button>{' '}
                <small className="muted">
                  {open.direction === 'out'
                    ? 'Queues the message again for its destination.'
                    : 'Applies the message again, as if its sender had resent it.'}
                </small>
              </p>
            )}
            {replayed?.id === open.id && (
              <div className="replay-result" role="status">
                Replayed: ACK <AckCode code={replayed.ackCode || ackCodeOf(replayed.ack)} />
                <Segments text={replayed.ack} label="New acknowledgement" />
              </div>
            )}
            <h3>Message</h3>
            <Segments text={open.raw} label="Message segments" />
            <h3>Acknowledgement</h3>
            <Segments text={open.ack} label="Acknowledgement segments" />
            <button type="button" onClick={() => setOpen(null)}>
              Close
            </button>
          </section>
        )}
      </div>
      <nav className="pager" aria-label="Pages">
        <button
          type="button"
          disabled={offset === 0}
          onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}
        >
          Newer
        </button>
        <span>
          {page.length === 0 ? 0 : offset + 1}–{offset + page.length}
        </span>
        <button type="button" disabled={!more} onClick={() => setOffset(offset + PAGE_SIZE)}>
          Older
        </button>
      </nav>
    </main>
  );
}
