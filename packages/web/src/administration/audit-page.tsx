import { useState, type FormEvent } from 'react';
import { appFetch } from '../session/session-client';

/** An audit event as the audit API shows it. */
interface AuditEvent {
  seq: number;
  occurredAt: string;
  eventId: string;
  eventType: string | null;
  action: string;
  outcome: string;
  username: string | null;
  protocol: string | null;
  address: string | null;
  patientIds: string[];
  studyUids: string[];
  detail: string | null;
}

/** DICOM audit event IDs (PS3.15 A.5, DCM codes) by their meaning. */
const EVENT_NAMES: Record<string, string> = {
  '110100': 'Application activity',
  '110101': 'Audit log used',
  '110102': 'Begin transferring',
  '110103': 'Instances accessed',
  '110104': 'Instances transferred',
  '110105': 'Study deleted',
  '110106': 'Export',
  '110107': 'Import',
  '110108': 'Network entry',
  '110109': 'Order record',
  '110110': 'Patient record',
  '110111': 'Procedure record',
  '110112': 'Query',
  '110113': 'Security alert',
  '110114': 'User authentication',
};

/**
 * The audit trail for security officers: who accessed which patient or study, when, from where and
 * through which protocol; and the check that the hash chain is intact.
 */
export function AuditPage() {
  const [filter, setFilter] = useState({
    user: '',
    patientId: '',
    studyUid: '',
    aeTitle: '',
    eventId: '',
    outcome: '',
    from: '',
    to: '',
  });
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [message, setMessage] = useState('');

  const search = async (event?: FormEvent) => {
    event?.preventDefault();
    const params = new URLSearchParams({ limit: '200' });
    for (const [key, value] of Object.entries(filter)) {
      if (value === '') continue;
      params.set(key, key === 'from' || key === 'to' ? new Date(value).toISOString() : value);
    }
    try {
      setEvents((await (await appFetch(`/api/audit-events?${params.toString()}`)).json()) as AuditEvent[]);
      setMessage('');
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    }
  };

  const verify = async () => {
    try {
      const result = (await (await appFetch('/api/audit-events/verify')).json()) as {
        ok: boolean;
        events: number;
        reason?: string;
      };
      setMessage(
        result.ok
          ? `The audit trail is intact: ${result.events} events verified.`
          : `The audit trail was altered: ${result.reason ?? ''}`,
      );
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    }
  };

  const field = (name: keyof typeof filter, label: string, type = 'text') => (
    <label>
      {label}
      <input
        type={type}
        name={name}
        value={filter[name]}
        onChange={(e) => setFilter({ ...filter, [name]: e.target.value })}
      />
    </label>
  );

  return (
    <main className="admin-page">
      <h1>Audit trail</h1>
      <form className="study-search" onSubmit={(e) => void search(e)} aria-label="Search the audit trail">
        {field('user', 'User')}
        {field('patientId', 'Patient ID')}
        {field('studyUid', 'Study UID')}
        {field('aeTitle', 'AE title')}
        <label>
          Event
          <select value={filter.eventId} onChange={(e) => setFilter({ ...filter, eventId: e.target.value })}>
            <option value="">any</option>
            {Object.entries(EVENT_NAMES).map(([id, name]) => (
              <option key={id} value={id}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Outcome
          <select value={filter.outcome} onChange={(e) => setFilter({ ...filter, outcome: e.target.value })}>
            <option value="">any</option>
            <option value="success">success</option>
            <option value="failure">failure</option>
          </select>
        </label>
        {field('from', 'From', 'datetime-local')}
        {field('to', 'To', 'datetime-local')}
        <button type="submit">Search</button>
        <button type="button" onClick={() => void verify()}>
          Verify the chain
        </button>
      </form>
      {message !== '' && <p role="status">{message}</p>}
      {events !== null && (
        <table className="admin-table audit-events">
          <thead>
            <tr>
              <th>#</th>
              <th>When (UTC)</th>
              <th>Event</th>
              <th>Outcome</th>
              <th>User</th>
              <th>Protocol</th>
              <th>From</th>
              <th>Patients</th>
              <th>Detail</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.seq}>
                <td>{e.seq}</td>
                <td>{e.occurredAt.replace('T', ' ').slice(0, 19)}</td>
                <td>{EVENT_NAMES[e.eventId] ?? e.eventId}</td>
                <td>{e.outcome}</td>
                <td>{e.username ?? ''}</td>
                <td>{e.protocol ?? ''}</td>
                <td>{e.address ?? ''}</td>
                <td>{e.patientIds.join(', ')}</td>
                <td>{e.detail ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
