import { useEffect, useState, type FormEvent } from 'react';
import { errorText } from '../ris/ris-api';
import { RequestFailed } from '../session/session-client';
import {
  loadDepartmentProtocols,
  saveDepartmentProtocols,
  type DepartmentProtocols,
} from './department-protocols';
import { protocolDrafts, protocolsOfDrafts, type ProtocolDraft } from './hanging-protocol-drafts';
import { HangingProtocolFields } from './hanging-protocol-fields';

/**
 * The department's hanging protocols, for administrators to keep (Settings, below the user's own): the
 * same fields as a user's own protocols, saved on their own (another resource, another permission).
 * Saving sends back the version read, so that a change another administrator saved meanwhile is never
 * written over: the form then says so, and offers to load what is saved.
 */
export function DepartmentProtocolsForm() {
  const [loaded, setLoaded] = useState<DepartmentProtocols | undefined>(undefined);
  const [drafts, setDrafts] = useState<ProtocolDraft[]>([]);
  const [problem, setProblem] = useState('');
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  /** Another administrator saved since these were read: only loading theirs can go on from here. */
  const [stale, setStale] = useState(false);
  const [loads, setLoads] = useState(0);

  useEffect(() => {
    const abort = new AbortController();
    loadDepartmentProtocols(abort.signal)
      .then((read) => {
        setLoaded(read);
        setDrafts(protocolDrafts(read.protocols));
        setStale(false);
      })
      .catch((e: unknown) => !abort.signal.aborted && setProblem(errorText(e)));
    return () => abort.abort();
  }, [loads]);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (loaded === undefined) return;
    setMessage('');
    const checked = protocolsOfDrafts(drafts);
    if ('problem' in checked) {
      setProblem(checked.problem);
      return;
    }
    setProblem('');
    setBusy(true);
    try {
      const saved = await saveDepartmentProtocols(checked.protocols, loaded.etag);
      setLoaded(saved);
      setDrafts(protocolDrafts(saved.protocols));
      setMessage("Department hanging protocols saved. They hang everyone's next study opened.");
    } catch (e) {
      if (e instanceof RequestFailed && e.status === 412) {
        setStale(true);
        setProblem(
          'Another administrator saved the department hanging protocols since this page read them. ' +
            'Load theirs, and make your change again.',
        );
      } else setProblem(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="admin-form settings-form"
      aria-label="Department hanging protocols"
      onSubmit={(e) => void save(e)}
      noValidate
    >
      {loaded === undefined ? (
        problem === '' && <p className="muted">Reading the department hanging protocols…</p>
      ) : (
        <>
          <HangingProtocolFields drafts={drafts} onChange={setDrafts} whose="department" />
          <button type="submit" className="primary" disabled={busy || stale}>
            Save department protocols
          </button>
        </>
      )}
      {stale && (
        <button
          type="button"
          onClick={() => {
            setProblem('');
            setLoads(loads + 1);
          }}
        >
          Load the saved department protocols
        </button>
      )}
      {problem !== '' && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      <p role="status">{message}</p>
    </form>
  );
}
