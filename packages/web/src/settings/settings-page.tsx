import { useEffect, useId, useState, type FormEvent } from 'react';
import { errorText } from '../ris/ris-api';
import { formatDicomDate } from './date-format';
import { DepartmentProtocolsForm } from './department-protocols-form';
import {
  forgetProtocolFromViewer,
  protocolDrafts,
  protocolFromViewer,
  protocolsOfDrafts,
  type ProtocolDraft,
} from './hanging-protocol-drafts';
import { HangingProtocolFields } from './hanging-protocol-fields';
import {
  DATE_RANGES,
  MAX_PRESET_NAME_LENGTH,
  PAGE_SIZES,
  patchSettings,
  windowPresetsPatch,
  type DateFormat,
  type DefaultDateRange,
  type PageSize,
  type UserSettings,
} from './user-settings';
import { presetRows, presetsOfRows, type WindowPresetRow } from './window-preset-rows';

/** Modalities offered as check boxes (PS3.3 C.7.3.1.1.1's common codes); others the user saved stay too. */
const COMMON_MODALITIES = ['CT', 'MR', 'CR', 'DX', 'MG', 'US', 'NM', 'PT', 'XA', 'RF', 'OT'];
/** A date shown in both formats, so the choice shows what it does. */
const SAMPLE_DATE = '20240301';

const EMPTY_ROW: WindowPresetRow = { modality: 'CT', name: '', center: '', width: '' };

/** One of the user's window presets in the form: a group of its own fields, named by its number. */
function PresetFields({
  number,
  row,
  onChange,
  onRemove,
  focusFirst,
}: {
  number: number;
  /** Just added: its first field takes the focus, so typing goes on there. */
  focusFirst: boolean;
  row: WindowPresetRow;
  onChange: (row: WindowPresetRow) => void;
  onRemove: () => void;
}) {
  const field = (key: keyof WindowPresetRow) => ({
    value: row[key],
    onChange: (e: { target: { value: string } }) => onChange({ ...row, [key]: e.target.value }),
  });
  return (
    <fieldset className="preset-fields">
      <legend>Preset {number}</legend>
      <label>
        Modality
        <input
          {...field('modality')}
          size={4}
          maxLength={16}
          list="settings-modalities"
          required
          autoFocus={focusFirst}
        />
      </label>
      <label>
        Name
        <input {...field('name')} maxLength={MAX_PRESET_NAME_LENGTH} required />
      </label>
      <label>
        Centre (level)
        <input {...field('center')} inputMode="decimal" size={7} required />
      </label>
      <label>
        Width
        <input {...field('width')} inputMode="decimal" size={7} required />
      </label>
      <button type="button" className="danger subtle" onClick={onRemove}>
        Remove preset {number}
      </button>
    </fieldset>
  );
}

/**
 * The user's own settings (issue #5 §1), kept by the server so that they follow the user to any
 * workstation: how the study list opens, their window presets and hanging protocols for the viewer, and
 * how dates are written. Administrators also keep the department's hanging protocols here, in a form of
 * their own below.
 */
export function SettingsPage({
  settings,
  onSaved,
  mayAdminister = false,
}: {
  settings: UserSettings;
  onSaved: (settings: UserSettings) => void;
  /** Whether the user keeps the department's settings too (the admin permission). */
  mayAdminister?: boolean;
}) {
  const titleId = useId();
  const [dateRange, setDateRange] = useState<DefaultDateRange>(settings.studyList.defaultDateRange);
  const [modalities, setModalities] = useState<readonly string[]>(settings.studyList.defaultModalities);
  const [pageSize, setPageSize] = useState<PageSize>(settings.studyList.pageSize);
  const [dateFormat, setDateFormat] = useState<DateFormat>(settings.display.dateFormat);
  const [rows, setRows] = useState<WindowPresetRow[]>(() => presetRows(settings.viewer.windowPresets));
  // A protocol made from the viewer's layout (its "New protocol…") joins the user's, to be named and saved.
  const [fromViewer] = useState(protocolFromViewer);
  const [protocols, setProtocols] = useState<ProtocolDraft[]>(() =>
    protocolDrafts([...settings.viewer.hangingProtocols, ...(fromViewer !== undefined ? [fromViewer] : [])]),
  );
  const [problem, setProblem] = useState('');
  const [message, setMessage] = useState(() =>
    fromViewer !== undefined
      ? `Protocol ${protocols.length} hangs the study as the viewer showed it: name it, loosen its words if need be, and save.`
      : '',
  );
  useEffect(() => forgetProtocolFromViewer(), []);
  const [busy, setBusy] = useState(false);
  const [added, setAdded] = useState<number | null>(null);
  // Codes saved earlier (through the API, or once common) keep their box, so saving never drops them.
  const offered = [...COMMON_MODALITIES, ...modalities.filter((m) => !COMMON_MODALITIES.includes(m))];

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setMessage('');
    const checked = presetsOfRows(rows);
    if ('problem' in checked) {
      setProblem(checked.problem);
      return;
    }
    const hanging = protocolsOfDrafts(protocols);
    if ('problem' in hanging) {
      setProblem(hanging.problem);
      return;
    }
    setProblem('');
    setBusy(true);
    try {
      // A patch of what this page edits: the list's order, chosen on the list itself (perhaps on
      // another workstation since this page was opened), stays as it is stored.
      const saved = await patchSettings({
        studyList: {
          defaultDateRange: dateRange,
          defaultModalities: [...modalities],
          pageSize,
        },
        viewer: {
          windowPresets: windowPresetsPatch(settings.viewer.windowPresets, checked.presets),
          hangingProtocols: hanging.protocols,
        },
        display: { dateFormat },
      });
      setRows(presetRows(saved.viewer.windowPresets));
      setProtocols(protocolDrafts(saved.viewer.hangingProtocols));
      onSaved(saved);
      setMessage('Settings saved. They apply wherever you sign in.');
    } catch (e) {
      setProblem(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="admin-page settings-page">
      <h1 id={titleId}>Settings</h1>
      <p className="hint">Yours only, kept by the server: they follow you to any workstation.</p>
      <form
        className="admin-form settings-form"
        aria-labelledby={titleId}
        onSubmit={(e) => void save(e)}
        noValidate
      >
        <fieldset>
          <legend>Study list</legend>
          <label>
            Default date range
            <select value={dateRange} onChange={(e) => setDateRange(e.target.value as DefaultDateRange)}>
              {DATE_RANGES.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </select>
          </label>
          <fieldset className="modality-choices">
            <legend>Default modalities (none: all)</legend>
            {offered.map((modality) => (
              <label key={modality} className="checkbox">
                <input
                  type="checkbox"
                  checked={modalities.includes(modality)}
                  onChange={(e) =>
                    setModalities(
                      e.target.checked ? [...modalities, modality] : modalities.filter((m) => m !== modality),
                    )
                  }
                />
                {modality}
              </label>
            ))}
          </fieldset>
          <label>
            Studies per page
            <select value={pageSize} onChange={(e) => setPageSize(Number(e.target.value) as PageSize)}>
              {PAGE_SIZES.map((size) => (
                <option key={size} value={size}>
                  {size}
                </option>
              ))}
            </select>
          </label>
        </fieldset>

        <fieldset>
          <legend>Viewer: your window presets</legend>
          <p className="hint">
            Offered after the built-in presets of the modality, in this order. Centre and width in the
            modality&apos;s units (HU for CT).
          </p>
          {rows.length === 0 && <p className="muted">No presets of your own.</p>}
          {rows.map((row, index) => (
            <PresetFields
              // Rows have no identity of their own; their place is what the form numbers them by.
              key={index}
              number={index + 1}
              row={row}
              onChange={(changed) => setRows(rows.map((r, i) => (i === index ? changed : r)))}
              onRemove={() => {
                setAdded(null);
                setRows(rows.filter((_, i) => i !== index));
              }}
              focusFirst={added === index}
            />
          ))}
          <datalist id="settings-modalities">
            {COMMON_MODALITIES.map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
          <button
            type="button"
            onClick={() => {
              setAdded(rows.length);
              setRows([...rows, EMPTY_ROW]);
            }}
          >
            Add a window preset
          </button>
        </fieldset>

        <HangingProtocolFields
          drafts={protocols}
          onChange={setProtocols}
          {...(fromViewer !== undefined ? { arrived: settings.viewer.hangingProtocols.length } : {})}
        />

        <fieldset>
          <legend>Dates</legend>
          {(['iso', 'locale'] as const).map((format) => (
            <label key={format} className="checkbox">
              <input
                type="radio"
                name="date-format"
                value={format}
                checked={dateFormat === format}
                onChange={() => setDateFormat(format)}
              />
              {format === 'iso' ? 'Year-month-day' : 'As your browser writes them'} (
              {formatDicomDate(SAMPLE_DATE, format)})
            </label>
          ))}
        </fieldset>

        <button type="submit" className="primary" disabled={busy}>
          Save settings
        </button>
        {problem !== '' && (
          <p className="error" role="alert">
            {problem}
          </p>
        )}
        <p role="status">{message}</p>
      </form>
      {mayAdminister && <DepartmentProtocolsForm />}
    </main>
  );
}
