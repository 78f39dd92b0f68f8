import type { FormEvent, ReactNode } from 'react';
import { keepFocusInside } from './focus-trap';

/** Names the dialog: by the id of its visible title, or by a label of its own. */
type DialogName = { labelledBy: string; label?: never } | { label: string; labelledBy?: never };

/**
 * The shell of a modal dialog that is a form (WAI-ARIA dialog pattern): a backdrop that cancels when
 * clicked, and the form itself, where Escape cancels and Tab stays inside. With `isolateKeys`, no key
 * pressed in the dialog reaches the page behind it (e.g. the viewer's shortcuts).
 */
export function ModalForm({
  className,
  labelledBy,
  label,
  describedBy,
  onSubmit,
  onCancel,
  isolateKeys = false,
  children,
}: DialogName & {
  /** Classes after `dialog`, e.g. `calibration-dialog`. */
  className: string;
  /** The id of the text that describes the dialog. */
  describedBy?: string;
  onSubmit: (event: FormEvent<HTMLFormElement>) => void;
  onCancel: () => void;
  isolateKeys?: boolean;
  children: ReactNode;
}) {
  return (
    <div className="dialog-backdrop" onClick={onCancel}>
      <form
        className={`dialog ${className}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={labelledBy}
        aria-label={label}
        aria-describedby={describedBy}
        onSubmit={onSubmit}
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (isolateKeys) e.stopPropagation();
          if (e.key === 'Escape') onCancel();
          else keepFocusInside(e);
        }}
      >
        {children}
      </form>
    </div>
  );
}
