import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ModalForm } from '../modal-form';

/** The true length typed, in mm, or why it cannot be used. */
export function trueLengthOf(text: string): { mm: number } | { problem: string } {
  const mm = Number(text.trim().replace(',', '.'));
  if (text.trim() === '' || !Number.isFinite(mm)) return { problem: 'Type the length in millimetres.' };
  if (mm <= 0) return { problem: 'The length must be more than 0 mm.' };
  return { mm };
}

/**
 * Asks for the true length of the calibration line just drawn. A modal dialog (WAI-ARIA): the field has
 * focus, Tab stays inside, Enter calibrates, Escape or Cancel drops the line; no viewer shortcut fires
 * meanwhile.
 */
export function CalibrationDialog({
  measured,
  onCalibrate,
  onCancel,
}: {
  /** The line as it measures now, e.g. `200.00 px (uncalibrated)`. */
  measured: string;
  onCalibrate: (trueLengthMm: number) => void;
  onCancel: () => void;
}) {
  const titleId = useId();
  const descriptionId = useId();
  const problemId = useId();
  const [text, setText] = useState('');
  const [tried, setTried] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    // Back to where the user was when the dialog closes.
    const opener = document.activeElement as HTMLElement | null;
    input.current?.focus();
    return () => opener?.focus();
  }, []);

  const length = trueLengthOf(text);
  const problem = 'problem' in length ? length.problem : undefined;
  const showProblem = tried && problem !== undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if ('mm' in length) onCalibrate(length.mm);
    else input.current?.focus();
  };

  return (
    <ModalForm
      className="calibration-dialog"
      labelledBy={titleId}
      describedBy={descriptionId}
      onSubmit={submit}
      onCancel={onCancel}
      // The viewer's keys (window/level presets, scrolling, Esc to reset) are not for the dialog.
      isolateKeys
    >
      <h2 id={titleId}>Calibrate</h2>
      <p id={descriptionId}>
        The line measures {measured}. Its true length sets the scale of every image of this series, for this
        session (it is not saved).
      </p>
      <label>
        True length (mm)
        <input
          ref={input}
          type="text"
          inputMode="decimal"
          autoComplete="off"
          value={text}
          required
          aria-invalid={showProblem}
          aria-describedby={showProblem ? problemId : undefined}
          onChange={(e) => setText(e.target.value)}
        />
      </label>
      {showProblem && (
        <p id={problemId} className="field-error">
          {problem}
        </p>
      )}
      <div className="dialog-buttons">
        <button type="submit">Calibrate</button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </ModalForm>
  );
}
