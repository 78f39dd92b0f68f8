import { useCallback, useEffect, useState } from 'react';
import { errorText, getOrder, listExceptions, listOrders, resolveException } from './ris-api';
import { formatDate, formatTime, formatTimestamp, personName } from './ris-format';
import type { OrderView, ReconciliationException } from './ris-types';
import { Messages, ReasonDialog, useDebounced } from './ris-widgets';

type State = 'open' | 'resolved' | 'dismissed';

const KIND_LABELS: Record<string, string> = {
  'unknown-accession': 'No order with this accession',
  'patient-mismatch': 'Patient differs from the order',
  'unscheduled-procedure': 'Performed without an order',
};

/**
 * The exceptions queue (issue #6): studies that arrived with an accession no order has, or for another
 * patient than their order's. Each is fixed by linking the study to the right order (it moves to that
 * order's patient and accession) or dismissed with a reason.
 */
export function ExceptionsPage() {
  const [state, setState] = useState<State>('open');
  const [items, setItems] = useState<ReconciliationException[] | null>(null);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');

  const load = useCallback(async () => {
    try {
      setItems(await listExceptions(state));
    } catch (e) {
      setItems([]);
      setError(errorText(e));
    }
  }, [state]);
  useEffect(() => {
    setItems(null);
    void load();
  }, [load]);

  const resolved = (item: ReconciliationException, message: string) => {
    setItems((current) => (current ?? []).filter((i) => i.id !== item.id));
    setError('');
    setNotice(message);
  };

  return (
    <main className="ris-page exceptions-page">
      <div className="ris-toolbar">
        <h1>Exceptions</h1>
        <div role="group" aria-label="Show" className="segmented">
          {(['open', 'resolved', 'dismissed'] as const).map((s) => (
            <button key={s} type="button" aria-pressed={state === s} onClick={() => setState(s)}>
              {s === 'open' ? 'Open' : s === 'resolved' ? 'Resolved' : 'Dismissed'}
            </button>
          ))}
        </div>
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      <Messages notice={notice} error={error} onDismiss={() => setError('')} />
      <table className="ris-table exceptions" aria-busy={items === null}>
        <thead>
          <tr>
            <th>Received</th>
            <th>Problem</th>
            <th>Study</th>
            <th>Study&apos;s patient</th>
            <th>Order&apos;s patient</th>
            <th>{state === 'open' ? 'Fix' : 'Outcome'}</th>
          </tr>
        </thead>
        <tbody>
          {(items ?? []).map((item) => (
            <ExceptionRow
              key={item.id}
              item={item}
              onResolved={(message) => resolved(item, message)}
              onError={setError}
            />
          ))}
          {items !== null && items.length === 0 && (
            <tr>
              <td colSpan={6} className="empty">
                {state === 'open' ? 'No open exceptions: every study found its order.' : `None ${state}.`}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </main>
  );
}

function ExceptionRow({
  item,
  onResolved,
  onError,
}: {
  item: ReconciliationException;
  onResolved: (message: string) => void;
  onError: (message: string) => void;
}) {
  const [accession, setAccession] = useState(item.accessionNumber ?? '');
  const [dismissing, setDismissing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [target, setTarget] = useState<{ accession: string; text: string; ok: boolean } | null>(null);
  const lookup = useDebounced(accession.trim(), 400);
  const [candidates, setCandidates] = useState<OrderView[]>([]);

  // The patient's exams still to be imaged: the likely right order for a mistyped accession.
  useEffect(() => {
    if (item.state !== 'open') return;
    const abort = new AbortController();
    listOrders(
      {
        patientId: item.patient.patientId,
        status: ['ordered', 'scheduled', 'arrived', 'in-progress'],
        limit: 5,
      },
      abort.signal,
    )
      .then((orders) => setCandidates(orders.filter((o) => o.accessionNumber !== item.accessionNumber)))
      .catch(() => undefined);
    return () => abort.abort();
  }, [item.state, item.patient.patientId, item.accessionNumber]);

  // Says which patient the study would move to before the user links it.
  useEffect(() => {
    if (item.state !== 'open' || lookup === '') return setTarget(null);
    if (item.kind === 'unknown-accession' && lookup === item.accessionNumber) {
      return setTarget({
        accession: lookup,
        ok: false,
        text: 'No order has this accession: type the right one.',
      });
    }
    if (item.order !== null && lookup === item.order.accessionNumber) {
      return setTarget({
        accession: lookup,
        ok: true,
        text: `${personName(item.order.patient.name) || '(no name)'} · ${item.order.patient.patientId}`,
      });
    }
    const abort = new AbortController();
    getOrder(lookup, abort.signal)
      .then((order) =>
        setTarget({
          accession: lookup,
          ok: true,
          text: `${personName(order.patient.name) || '(no name)'} · ${order.patient.patientId} · ${
            order.modality ?? ''
          } ${order.procedure?.meaning ?? ''} · ${order.status}`,
        }),
      )
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setTarget({ accession: lookup, ok: false, text: errorText(e) });
      });
    return () => abort.abort();
  }, [lookup, item]);

  const act = async (
    resolution: { action: 'link'; accessionNumber: string } | { action: 'dismiss'; reason: string },
  ) => {
    setBusy(true);
    try {
      await resolveException(item.id, resolution);
      onResolved(
        resolution.action === 'link'
          ? `Study linked to order ${resolution.accessionNumber}.`
          : `Exception dismissed: ${resolution.reason}.`,
      );
    } catch (e) {
      onError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const studyName = personName(item.patient.name) || '(no name)';
  const orderName = item.order ? personName(item.order.patient.name) || '(no name)' : '';
  const idDiffers = item.order !== null && item.order.patient.patientId !== item.patient.patientId;
  const nameDiffers = item.order !== null && (item.order.patient.name ?? '') !== (item.patient.name ?? '');

  return (
    <tr
      data-exception-id={item.id}
      data-accession={item.accessionNumber ?? ''}
      className={`exception-${item.kind}`}
    >
      <td>{formatTimestamp(item.createdAt)}</td>
      <td>
        <strong>{KIND_LABELS[item.kind] ?? item.kind}</strong>
        {item.detail && (
          <>
            <br />
            <small>{item.detail}</small>
          </>
        )}
      </td>
      <td>
        {item.accessionNumber ? `Acc. ${item.accessionNumber}` : 'no accession'}
        <br />
        <small>
          {formatDate(item.studyDate)} {item.modalities.join(', ')}
        </small>
        <br />
        <small className="uid" title={item.studyInstanceUid}>
          {item.studyInstanceUid}
        </small>
      </td>
      <td className="patient-compare">
        <span className={nameDiffers ? 'differs' : ''}>{studyName}</span>
        <br />
        <span className={idDiffers ? 'differs' : ''}>
          {item.patient.patientId}
          {item.patient.issuer && <small> {item.patient.issuer}</small>}
        </span>
      </td>
      <td className="patient-compare">
        {item.order ? (
          <>
            <span className={nameDiffers ? 'differs' : ''}>{orderName}</span>
            <br />
            <span className={idDiffers ? 'differs' : ''}>{item.order.patient.patientId}</span>{' '}
            <small>acc. {item.order.accessionNumber}</small>
          </>
        ) : (
          <span className="muted">no order</span>
        )}
      </td>
      <td className="exception-fix">
        {item.state === 'open' ? (
          <>
            <form
              className="link-form"
              aria-label={`Link study ${item.studyInstanceUid}`}
              onSubmit={(e) => {
                e.preventDefault();
                if (accession.trim() !== '') void act({ action: 'link', accessionNumber: accession.trim() });
              }}
            >
              <label>
                Accession{' '}
                <input
                  value={accession}
                  size={14}
                  onChange={(e) => setAccession(e.target.value)}
                  aria-describedby={`target-${item.id}`}
                />
              </label>
              <button type="submit" className="primary" disabled={busy || accession.trim() === ''}>
                Link
              </button>
              <button
                type="button"
                className="danger subtle"
                disabled={busy}
                onClick={() => setDismissing(true)}
              >
                Dismiss
              </button>
            </form>
            <small id={`target-${item.id}`} className={target?.ok === false ? 'error' : 'muted'}>
              {target !== null && target.accession === accession.trim()
                ? target.ok
                  ? `→ ${target.text}`
                  : target.text
                : ''}
            </small>
            {candidates.length > 0 && (
              <div className="candidates">
                <small className="muted">Open orders of patient {item.patient.patientId}:</small>
                {candidates.map((o) => (
                  <button
                    key={o.accessionNumber}
                    type="button"
                    className="link"
                    aria-pressed={accession.trim() === o.accessionNumber}
                    onClick={() => setAccession(o.accessionNumber)}
                  >
                    {o.accessionNumber} {o.modality ?? ''} {o.procedure?.meaning ?? ''}{' '}
                    {formatDate(o.requestedDate)} {formatTime(o.requestedTime)}
                  </button>
                ))}
              </div>
            )}
            {dismissing && (
              <ReasonDialog
                title={`Dismiss the exception of study ${item.accessionNumber ?? item.studyInstanceUid}`}
                confirm="Dismiss"
                onConfirm={(reason) => {
                  setDismissing(false);
                  void act({ action: 'dismiss', reason });
                }}
                onCancel={() => setDismissing(false)}
              />
            )}
          </>
        ) : (
          <>
            {item.state} {item.resolvedBy ? `by ${item.resolvedBy}` : ''} {formatTimestamp(item.resolvedAt)}
            {item.resolution && (
              <>
                <br />
                <small>{item.resolution}</small>
              </>
            )}
          </>
        )}
      </td>
    </tr>
  );
}
