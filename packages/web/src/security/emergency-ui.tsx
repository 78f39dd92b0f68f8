import { ModalForm } from '../modal-form';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { errorText } from '../ris/ris-api';
import {
  DEFAULT_EMERGENCY_MINUTES,
  EMERGENCY_DURATIONS,
  reasonProblem,
  remainingText,
  startEmergencyAccess,
  untilText,
  type ActiveEmergency,
} from './emergency-access';

/**
 * "Break the glass": asks why and for how long, says who will be told, and starts emergency access.
 * Escape or Cancel closes it; the server's refusal is shown in it.
 */
export function EmergencyAccessDialog({
  onStarted,
  onCancel,
}: {
  onStarted: (emergency: ActiveEmergency) => void;
  onCancel: () => void;
}) {
  const titleId = useId();
  const warningId = useId();
  const problemId = useId();
  const [reason, setReason] = useState('');
  const [minutes, setMinutes] = useState(DEFAULT_EMERGENCY_MINUTES);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState('');
  const reasonInput = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    // Back to where the user was when the dialog closes.
    const opener = document.activeElement as HTMLElement | null;
    reasonInput.current?.focus();
    return () => opener?.focus();
  }, []);

  const problem = reasonProblem(reason);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (problem !== undefined) {
      reasonInput.current?.focus();
      return;
    }
    setBusy(true);
    setFailure('');
    try {
      onStarted(await startEmergencyAccess(reason, minutes));
    } catch (e) {
      setFailure(errorText(e));
      setBusy(false);
    }
  };
  const showProblem = tried && problem !== undefined;

  return (
    <ModalForm
      className="emergency-dialog"
      labelledBy={titleId}
      describedBy={warningId}
      onSubmit={(e) => void submit(e)}
      onCancel={onCancel}
    >
      <h2 id={titleId}>Emergency access</h2>
      <p id={warningId} className="emergency-warning">
        You will see <strong>every study</strong>, not only your own patients&apos;, until it ends. The
        security officer and the administrators are told at once, with your reason, and every study you open
        meanwhile is marked as emergency access in the audit trail.
      </p>
      <label>
        Reason (required, 10 characters or more)
        <textarea
          ref={reasonInput}
          value={reason}
          rows={3}
          maxLength={1000}
          required
          aria-invalid={showProblem}
          aria-describedby={showProblem ? problemId : undefined}
          onChange={(e) => setReason(e.target.value)}
        />
      </label>
      {showProblem && (
        <p id={problemId} className="field-error">
          {problem}
        </p>
      )}
      <label>
        Duration
        <select value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
          {EMERGENCY_DURATIONS.map((d) => (
            <option key={d.minutes} value={d.minutes}>
              {d.label}
            </option>
          ))}
        </select>
      </label>
      {failure !== '' && (
        <p className="error" role="alert">
          {failure}
        </p>
      )}
      <div className="dialog-buttons">
        <button type="submit" className="danger" disabled={busy}>
          Start emergency access
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </ModalForm>
  );
}

/**
 * Shown on every page while emergency access is in force: the time left, the reason, and a button to end
 * it. Calls `onExpired` once when the time is up.
 */
export function EmergencyBanner({
  emergency,
  onEnd,
  onExpired,
}: {
  emergency: ActiveEmergency;
  onEnd: () => Promise<void>;
  onExpired: () => void;
}) {
  const [now, setNow] = useState(() => Date.now());
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState('');
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  const left = emergency.expiresAt - now;
  const expired = left <= 0;
  const expiredRef = useRef(onExpired);
  expiredRef.current = onExpired;
  useEffect(() => {
    if (expired) expiredRef.current();
  }, [expired, emergency]);

  const end = async () => {
    setBusy(true);
    setFailure('');
    try {
      await onEnd();
    } catch (e) {
      setFailure(errorText(e));
      setBusy(false);
    }
  };

  return (
    <section className="emergency-banner" aria-label="Emergency access">
      <div className="emergency-info">
        <strong>Emergency access in force</strong>
        <span className="emergency-time">
          {expired ? 'ending…' : `${remainingText(left)} left (until ${untilText(emergency.expiresAt)})`}
        </span>
        <span className="emergency-reason">Reason: {emergency.reason}</span>
        <span className="emergency-note">
          Every study is visible; what you open is marked in the audit trail.
        </span>
        {failure !== '' && (
          <span className="error" role="alert">
            {failure}
          </span>
        )}
      </div>
      <button type="button" onClick={() => void end()} disabled={busy}>
        End emergency access
      </button>
    </section>
  );
}
