import { useEffect, useId, useState } from 'react';
import {
  NEW_PROTOCOL,
  PLANES,
  withLayout,
  type ProtocolDraft,
  type ViewportDraft,
} from './hanging-protocol-drafts';
import { MAX_HANGING_PROTOCOLS, MAX_LAYOUT_SIDE, MAX_PROTOCOL_NAME_LENGTH } from './user-settings';

const SIDES = Array.from({ length: MAX_LAYOUT_SIDE }, (_, n) => n + 1);

const HOW_THEY_MATCH =
  'the first that applies to the study, and finds a series for each of its viewports, hangs it. ' +
  'Separate words and modalities with commas; words match whole words of the description, in any case. ' +
  'Viewports are numbered row by row.';

/** What the list is called, and when it is tried: the user's own, or the department's for everyone. */
const WHOSE = {
  yours: {
    legend: 'Viewer: your hanging protocols',
    hint: `Tried before the department's and the built-in protocols, in this order: ${HOW_THEY_MATCH}`,
    none: 'No hanging protocols of your own.',
  },
  department: {
    legend: 'Department hanging protocols',
    hint:
      "For everyone: tried after each user's own and before the built-in protocols, in this order: " +
      HOW_THEY_MATCH,
    none: 'No department hanging protocols.',
  },
} as const;

/** One viewport's rule: which study, and what its series must be. */
function ViewportFields({
  number,
  row,
  column,
  viewport,
  onChange,
}: {
  number: number;
  row: number;
  column: number;
  viewport: ViewportDraft;
  onChange: (viewport: ViewportDraft) => void;
}) {
  const text = (key: 'modalities' | 'description') => ({
    value: viewport[key],
    onChange: (e: { target: { value: string } }) => onChange({ ...viewport, [key]: e.target.value }),
  });
  return (
    <fieldset className="preset-fields">
      <legend>
        Viewport {number} (row {row}, column {column})
      </legend>
      <label>
        Study
        <select
          value={viewport.study}
          onChange={(e) => onChange({ ...viewport, study: e.target.value === 'prior' ? 'prior' : 'current' })}
        >
          <option value="current">Current</option>
          <option value="prior">Prior</option>
        </select>
      </label>
      <label>
        Series modalities
        <input {...text('modalities')} size={8} placeholder="any" />
      </label>
      <label>
        Description words
        <input {...text('description')} size={18} placeholder="any" />
      </label>
      <label>
        Plane
        <select
          value={viewport.plane}
          onChange={(e) => onChange({ ...viewport, plane: PLANES.find((p) => p === e.target.value) ?? '' })}
        >
          <option value="">Any</option>
          {PLANES.map((plane) => (
            <option key={plane} value={plane}>
              {plane[0]!.toUpperCase() + plane.slice(1)}
            </option>
          ))}
        </select>
      </label>
    </fieldset>
  );
}

/** One of the user's protocols: when it applies, its layout, one rule per viewport, and its place. */
function ProtocolFields({
  number,
  count,
  draft,
  idPrefix,
  focusName,
  onChange,
  onMove,
  onRemove,
}: {
  number: number;
  /** How many protocols there are: the last cannot move down. */
  count: number;
  draft: ProtocolDraft;
  /** Prefixes the ids of its move buttons, for the focus to follow a protocol that moved. */
  idPrefix: string;
  /** Just added: its name takes the focus, so typing goes on there. */
  focusName: boolean;
  onChange: (draft: ProtocolDraft) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}) {
  const text = (key: 'name' | 'modalities' | 'bodyParts') => ({
    value: draft[key],
    onChange: (e: { target: { value: string } }) => onChange({ ...draft, [key]: e.target.value }),
  });
  const side = (key: 'rows' | 'columns') => (
    <select
      value={draft[key]}
      onChange={(e) => {
        const n = Number(e.target.value);
        onChange(withLayout(draft, key === 'rows' ? n : draft.rows, key === 'columns' ? n : draft.columns));
      }}
    >
      {SIDES.map((n) => (
        <option key={n} value={n}>
          {n}
        </option>
      ))}
    </select>
  );
  return (
    <fieldset className="protocol-fields">
      <legend>Protocol {number}</legend>
      <div className="preset-fields">
        <label>
          Name
          <input
            {...text('name')}
            size={28}
            maxLength={MAX_PROTOCOL_NAME_LENGTH}
            required
            autoFocus={focusName}
          />
        </label>
        <label>
          Study modalities
          <input {...text('modalities')} size={8} placeholder="any" />
        </label>
        <label>
          Body part words
          <input {...text('bodyParts')} size={18} placeholder="any" />
        </label>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={draft.needsPrior}
            onChange={(e) => onChange({ ...draft, needsPrior: e.target.checked })}
          />
          Needs a prior
        </label>
      </div>
      <div className="preset-fields">
        <label>
          Rows
          {side('rows')}
        </label>
        <label>
          Columns
          {side('columns')}
        </label>
      </div>
      {draft.viewports.map((viewport, index) => (
        <ViewportFields
          // A viewport is its place in the layout.
          key={index}
          number={index + 1}
          row={Math.floor(index / draft.columns) + 1}
          column={(index % draft.columns) + 1}
          viewport={viewport}
          onChange={(changed) =>
            onChange({ ...draft, viewports: draft.viewports.map((v, i) => (i === index ? changed : v)) })
          }
        />
      ))}
      <div className="preset-fields">
        <button type="button" id={`${idPrefix}-up`} disabled={number === 1} onClick={() => onMove(-1)}>
          Move protocol {number} up
        </button>
        <button type="button" id={`${idPrefix}-down`} disabled={number === count} onClick={() => onMove(1)}>
          Move protocol {number} down
        </button>
        <button type="button" className="danger subtle" onClick={onRemove}>
          Remove protocol {number}
        </button>
      </div>
    </fieldset>
  );
}

/**
 * A list of hanging protocols in a form: add, edit, reorder and remove them. The user's own are checked and
 * saved with the rest of the settings; the department's, by their own form (administrators only).
 */
export function HangingProtocolFields({
  drafts,
  onChange,
  arrived,
  whose = 'yours',
}: {
  drafts: ProtocolDraft[];
  onChange: (drafts: ProtocolDraft[]) => void;
  /** The protocol just brought from the viewer's layout, whose name takes the focus. */
  arrived?: number;
  /** The user's own protocols, or the department's. */
  whose?: keyof typeof WHOSE;
}) {
  const wording = WHOSE[whose];
  const idPrefix = useId();
  const [added, setAdded] = useState<number | null>(arrived ?? null);
  /** The move button to focus once a protocol has moved: the focus goes with the protocol. */
  const [moved, setMoved] = useState<{ index: number; by: -1 | 1 } | null>(null);
  useEffect(() => {
    if (moved === null) return;
    const id = (by: -1 | 1) => `${idPrefix}-${moved.index}-${by === -1 ? 'up' : 'down'}`;
    const same = document.getElementById(id(moved.by)) as HTMLButtonElement | null;
    // At the top or the bottom its button is disabled; the other one then.
    (same !== null && !same.disabled ? same : document.getElementById(id(moved.by === -1 ? 1 : -1)))?.focus();
    setMoved(null);
  }, [moved, idPrefix]);

  return (
    <fieldset>
      <legend>{wording.legend}</legend>
      <p className="hint">{wording.hint}</p>
      {drafts.length === 0 && <p className="muted">{wording.none}</p>}
      {drafts.map((draft, index) => (
        <ProtocolFields
          // Protocols have no identity of their own; their place is what the form numbers them by.
          key={index}
          number={index + 1}
          count={drafts.length}
          draft={draft}
          idPrefix={`${idPrefix}-${index}`}
          focusName={added === index}
          onChange={(changed) => onChange(drafts.map((d, i) => (i === index ? changed : d)))}
          onMove={(by) => {
            const next = [...drafts];
            [next[index], next[index + by]] = [next[index + by]!, next[index]!];
            setAdded(null);
            onChange(next);
            setMoved({ index: index + by, by });
          }}
          onRemove={() => {
            setAdded(null);
            onChange(drafts.filter((_, i) => i !== index));
          }}
        />
      ))}
      <button
        type="button"
        disabled={drafts.length >= MAX_HANGING_PROTOCOLS}
        onClick={() => {
          setAdded(drafts.length);
          onChange([...drafts, NEW_PROTOCOL]);
        }}
      >
        Add a hanging protocol
      </button>
    </fieldset>
  );
}
