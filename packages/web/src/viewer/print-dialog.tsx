import { Enums, utilities, type StackViewport } from '@cornerstonejs/core';
import { useState } from 'react';
import { JsonTag, textOf, type DicomJson } from '../dicomweb/dicom-json';
import { keyImageKey } from './key-images';
import { PRINT_LAYOUTS, printDocument, type PrintImage } from './print-document';
import type { StackFrame } from './series-stack';
import { captureViewport } from './viewport-capture';
import type { DateFormat } from '../settings/user-settings';

/** A viewport of the grid with what it shows. */
export interface PrintableViewport {
  viewport: StackViewport;
  frames: StackFrame[];
  series: DicomJson | undefined;
}

function caption(viewport: StackViewport, series: DicomJson | undefined): string {
  const { voiRange } = viewport.getProperties();
  const wl =
    voiRange != null ? utilities.windowLevel.toWindowLevel(voiRange.lower, voiRange.upper) : undefined;
  return [
    textOf(series ?? {}, JsonTag.SeriesDescription),
    `Im ${viewport.getCurrentImageIdIndex() + 1}/${viewport.getImageIds().length}`,
    wl !== undefined ? `W ${Math.round(wl.windowWidth)} L ${Math.round(wl.windowCenter)}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

function rendered(viewport: StackViewport): Promise<void> {
  return new Promise((resolve) => {
    viewport.element.addEventListener(Enums.Events.IMAGE_RENDERED, () => resolve(), { once: true });
    viewport.render();
  });
}

/**
 * The images of a print: every viewport as shown, or every key image (each shown in turn in the viewport of
 * its series, captured with its annotations, and the viewport put back where it was).
 */
async function printImages(
  viewports: PrintableViewport[],
  keyImages: ReadonlySet<string>,
  which: 'viewports' | 'key',
): Promise<PrintImage[]> {
  const images: PrintImage[] = [];
  if (which === 'viewports') {
    for (const { viewport, series } of viewports)
      images.push({ canvas: await captureViewport(viewport), caption: caption(viewport, series) });
    return images;
  }
  for (const { viewport, frames, series } of viewports) {
    const original = viewport.getCurrentImageIdIndex();
    for (const [index, frame] of frames.entries()) {
      if (!keyImages.has(keyImageKey(frame))) continue;
      if (viewport.getCurrentImageIdIndex() !== index) {
        const shown = rendered(viewport);
        await viewport.setImageIdIndex(index);
        await shown;
      }
      images.push({ canvas: await captureViewport(viewport), caption: caption(viewport, series) });
    }
    if (viewport.getCurrentImageIdIndex() !== original) await viewport.setImageIdIndex(original);
  }
  return images;
}

/** The print panel: which images, how many per page, which paper; makes a PDF file to download. */
export function PrintDialog({
  study,
  viewports,
  keyImages,
  printedBy,
  dateFormat,
  onClose,
}: {
  study: DicomJson;
  viewports: () => PrintableViewport[];
  keyImages: ReadonlySet<string>;
  printedBy: string;
  /** How the user reads dates (Settings), for the header of each page. */
  dateFormat: DateFormat;
  onClose: () => void;
}) {
  const [which, setWhich] = useState<'viewports' | 'key'>(keyImages.size > 0 ? 'key' : 'viewports');
  const [layout, setLayout] = useState<keyof typeof PRINT_LAYOUTS>('4');
  const [paper, setPaper] = useState<'a4' | 'letter'>('a4');
  const [state, setState] = useState('');

  async function print() {
    setState('Preparing…');
    try {
      const images = await printImages(viewports(), keyImages, which);
      if (images.length === 0) {
        setState('No images to print.');
        return;
      }
      const pdf = await printDocument(study, images, { layout, paper, printedBy, dateFormat });
      const link = document.createElement('a');
      link.download = `${textOf(study, JsonTag.PatientID) || 'study'}-${textOf(study, JsonTag.StudyDate)}.pdf`;
      link.href = URL.createObjectURL(pdf);
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
      setState(`PDF of ${images.length} images ready.`);
    } catch (e) {
      setState(`Could not print: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  return (
    <div className="dialog" role="dialog" aria-label="Print">
      <h2>Print to PDF</h2>
      <fieldset>
        <legend>Images</legend>
        <label>
          <input
            type="radio"
            name="which"
            checked={which === 'viewports'}
            onChange={() => setWhich('viewports')}
          />
          Viewports as shown
        </label>
        <label>
          <input
            type="radio"
            name="which"
            checked={which === 'key'}
            disabled={keyImages.size === 0}
            onChange={() => setWhich('key')}
          />
          Key images ({keyImages.size})
        </label>
      </fieldset>
      <label>
        Images per page{' '}
        <select
          aria-label="Images per page"
          value={layout}
          onChange={(e) => setLayout(e.target.value as keyof typeof PRINT_LAYOUTS)}
        >
          {Object.keys(PRINT_LAYOUTS).map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <label>
        Paper{' '}
        <select
          aria-label="Paper"
          value={paper}
          onChange={(e) => setPaper(e.target.value as 'a4' | 'letter')}
        >
          <option value="a4">A4</option>
          <option value="letter">Letter</option>
        </select>
      </label>
      <div className="dialog-buttons">
        <button onClick={() => void print()}>Create PDF</button>
        <button onClick={onClose}>Close</button>
      </div>
      {state !== '' && <p role="status">{state}</p>}
    </div>
  );
}
