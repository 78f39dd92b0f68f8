import dcmjs from 'dcmjs';
import { useMemo, useState } from 'react';
import type { DicomJson, DicomJsonAttribute } from '../dicomweb/dicom-json';

/** One row of the tag browser: a tag, its name, VR and value, indented under its sequence. */
interface TagRow {
  key: string;
  tag: string;
  name: string;
  vr: string;
  value: string;
  depth: number;
}

const dictionary = (
  dcmjs.data.DicomMetaDictionary as unknown as { dictionary: Record<string, { name?: string }> }
).dictionary;

function tagName(tag: string): string {
  const punctuated = `(${tag.slice(0, 4)},${tag.slice(4)})`;
  return dictionary[punctuated]?.name ?? (Number.parseInt(tag.slice(0, 4), 16) % 2 === 1 ? 'private' : '');
}

function valueText(attribute: DicomJsonAttribute): string {
  if (attribute.BulkDataURI !== undefined) return '(bulk data)';
  if (attribute.InlineBinary !== undefined)
    return `(${Math.floor((attribute.InlineBinary.length * 3) / 4)} bytes)`;
  return (attribute.Value ?? [])
    .map((v) =>
      typeof v === 'object' && v !== null ? ((v as { Alphabetic?: string }).Alphabetic ?? '') : String(v),
    )
    .join('\\');
}

/** The rows of a data set, sequences expanded (items numbered). */
export function tagRows(data: DicomJson, depth = 0, prefix = ''): TagRow[] {
  const rows: TagRow[] = [];
  for (const tag of Object.keys(data).sort()) {
    const attribute = data[tag];
    if (attribute === undefined) continue;
    const key = `${prefix}${tag}`;
    const formatted = `(${tag.slice(0, 4)},${tag.slice(4)})`;
    if (attribute.vr === 'SQ') {
      const items = (attribute.Value ?? []) as DicomJson[];
      rows.push({
        key,
        tag: formatted,
        name: tagName(tag),
        vr: 'SQ',
        value: `${items.length} item(s)`,
        depth,
      });
      items.forEach((item, index) => {
        rows.push({
          key: `${key}/${index}`,
          tag: '',
          name: `item ${index + 1}`,
          vr: '',
          value: '',
          depth: depth + 1,
        });
        rows.push(...tagRows(item, depth + 2, `${key}/${index}/`));
      });
    } else {
      rows.push({
        key,
        tag: formatted,
        name: tagName(tag),
        vr: attribute.vr,
        value: valueText(attribute),
        depth,
      });
    }
  }
  return rows;
}

/** The DICOM tag browser of the image shown: every attribute, sequences expanded, filtered as typed. */
export function TagBrowser({
  metadata,
  title,
  onClose,
}: {
  metadata: DicomJson;
  title: string;
  onClose: () => void;
}) {
  const [filter, setFilter] = useState('');
  const rows = useMemo(() => tagRows(metadata), [metadata]);
  const needle = filter.trim().toLowerCase();
  const shown =
    needle === '' ? rows : rows.filter((r) => `${r.tag} ${r.name} ${r.value}`.toLowerCase().includes(needle));
  return (
    <div className="dialog tag-browser" role="dialog" aria-label="DICOM tags">
      <h2>DICOM tags — {title}</h2>
      <input
        aria-label="Filter tags"
        placeholder="tag, name or value"
        value={filter}
        onChange={(e) => setFilter(e.target.value)}
        autoFocus
      />
      <div className="tag-table">
        <table>
          <tbody>
            {shown.map((r) => (
              <tr key={r.key}>
                <td style={{ paddingLeft: `${r.depth * 12 + 4}px` }}>{r.tag}</td>
                <td>{r.name}</td>
                <td>{r.vr}</td>
                <td className="tag-value">{r.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="dialog-buttons">
        <button onClick={onClose}>Close</button>
      </div>
    </div>
  );
}
