import { displayPersonName, JsonTag, textOf, type DicomJson } from '../dicomweb/dicom-json';
import { formatDicomDate } from '../settings/date-format';
import type { DateFormat } from '../settings/user-settings';

/** Images per page, as rows × columns. */
export const PRINT_LAYOUTS = {
  '1': [1, 1],
  '2': [2, 1],
  '4': [2, 2],
  '6': [3, 2],
  '9': [3, 3],
} as const satisfies Record<string, readonly [number, number]>;

/** One image to print, with its caption (series, image number, window). */
export interface PrintImage {
  canvas: HTMLCanvasElement;
  caption: string;
}

/** Where each image of a page goes: cells of the grid, in millimetres (pure, for tests). */
export function printCells(
  page: { width: number; height: number; margin: number; header: number; footer: number },
  layout: readonly [rows: number, columns: number],
): { x: number; y: number; width: number; height: number }[] {
  const [rows, columns] = layout;
  const gap = 3;
  const width = (page.width - 2 * page.margin - (columns - 1) * gap) / columns;
  const height = (page.height - 2 * page.margin - page.header - page.footer - (rows - 1) * gap) / rows;
  const cells = [];
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      cells.push({
        x: page.margin + column * (width + gap),
        y: page.margin + page.header + row * (height + gap),
        width,
        height,
      });
    }
  }
  return cells;
}

/** Fits an image of an aspect ratio into a cell, centred (never stretched: lengths on paper stay true in proportion). */
export function fitInto(cell: { x: number; y: number; width: number; height: number }, aspect: number) {
  const width = Math.min(cell.width, cell.height * aspect);
  const height = width / aspect;
  return { x: cell.x + (cell.width - width) / 2, y: cell.y + (cell.height - height) / 2, width, height };
}

/**
 * The header of every page: the patient (name, ID, birth date, sex) and the study (date, description,
 * accession, institution), dates written as the user chose to read them (Settings).
 */
export function printHeader(
  study: DicomJson,
  dateFormat: DateFormat,
  locale?: string,
): { patient: string; study: string } {
  const date = (tag: string) => formatDicomDate(textOf(study, tag), dateFormat, locale);
  return {
    patient: `${displayPersonName(textOf(study, JsonTag.PatientName))}   ID ${textOf(study, JsonTag.PatientID)}   born ${date(JsonTag.PatientBirthDate) || '–'}   ${textOf(study, JsonTag.PatientSex)}`,
    study: `${date(JsonTag.StudyDate)}   ${textOf(study, JsonTag.StudyDescription)}   Accession ${textOf(study, JsonTag.AccessionNumber) || '–'}   ${textOf(study, JsonTag.InstitutionName)}`,
  };
}

/**
 * Lightbox's print layout as a PDF: every page headed with the patient and the study, the images in a grid
 * (annotations burned in, each captioned), and a footer saying who printed it, when, and the page. jsPDF,
 * which writes it, is loaded the first time something is printed.
 */
export async function printDocument(
  study: DicomJson,
  images: PrintImage[],
  options: {
    layout: keyof typeof PRINT_LAYOUTS;
    paper: 'a4' | 'letter';
    printedBy: string;
    /** How the user reads dates (Settings): the header's and the footer's. */
    dateFormat: DateFormat;
  },
): Promise<Blob> {
  const { jsPDF } = await import('jspdf');
  const document = new jsPDF({ unit: 'mm', format: options.paper, orientation: 'portrait', compress: true });
  const page = {
    width: document.internal.pageSize.getWidth(),
    height: document.internal.pageSize.getHeight(),
    margin: 10,
    header: 18,
    footer: 8,
  };
  const layout = PRINT_LAYOUTS[options.layout];
  const cells = printCells(page, layout);
  const pages = Math.max(1, Math.ceil(images.length / cells.length));
  const { patient, study: studyLine } = printHeader(study, options.dateFormat);
  // Printed when, in UTC: the date as the user reads dates, then the time.
  const now = new Date().toISOString();
  const printedOn = formatDicomDate(now.slice(0, 10).replaceAll('-', ''), options.dateFormat);
  const printed = `Printed by ${options.printedBy} on ${printedOn} ${now.slice(11, 16)} UTC with Lightbox`;
  for (let p = 0; p < pages; p++) {
    if (p > 0) document.addPage(options.paper, 'portrait');
    document.setFillColor(0, 0, 0);
    document.setFont('helvetica', 'bold');
    document.setFontSize(12);
    document.text(patient, page.margin, page.margin + 5);
    document.setFont('helvetica', 'normal');
    document.setFontSize(10);
    document.text(studyLine, page.margin, page.margin + 11);
    images.slice(p * cells.length, (p + 1) * cells.length).forEach((image, index) => {
      const cell = cells[index]!;
      const captionHeight = 4;
      const area = { ...cell, height: cell.height - captionHeight };
      document.rect(cell.x, cell.y, cell.width, area.height, 'F');
      const fitted = fitInto(area, image.canvas.width / image.canvas.height);
      document.addImage(
        image.canvas.toDataURL('image/jpeg', 0.95),
        'JPEG',
        fitted.x,
        fitted.y,
        fitted.width,
        fitted.height,
      );
      document.setFontSize(8);
      document.text(image.caption, cell.x, cell.y + cell.height - 0.5);
    });
    document.setFontSize(8);
    document.text(printed, page.margin, page.height - page.margin + 2);
    document.text(`Page ${p + 1} of ${pages}`, page.width - page.margin, page.height - page.margin + 2, {
      align: 'right',
    });
  }
  return document.output('blob');
}
