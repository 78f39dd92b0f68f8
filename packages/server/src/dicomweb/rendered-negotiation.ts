import type { AcceptEntry } from './media-type/index.js';
import { DOCUMENT_MEDIA_TYPES, type DocumentKind } from './rendered-documents.js';

/** Output media types of rendered images, by format. */
export const FORMATS = { jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif' } as const;

/** A rendered image format. */
export type ImageFormat = keyof typeof FORMATS;

/** What a rendered request accepts for each kind of object: the first acceptable type of each. */
export interface RenderedChoice {
  image?: ImageFormat;
  documents: Partial<Record<DocumentKind, string>>;
}

/** The media type an Accept entry names: a multipart range names its parts' type (PS3.18 §8.7.5). */
function rangeOf(entry: AcceptEntry): string {
  return entry.type === 'multipart' ? (entry.params.get('type') ?? '*/*') : `${entry.type}/${entry.subtype}`;
}

/** The first of `types` (in preference order) that `range` (`*\/*`, `text/*`, `text/html`) covers. */
export function firstCovered(range: string, types: readonly string[]): string | undefined {
  const [major] = range.split('/');
  return types.find(
    (t) => range === '*/*' || range === t || (range.endsWith('/*') && t.startsWith(`${major}/`)),
  );
}

/**
 * Chooses, for images and each document kind, the first type of the Accept entries (already sorted by q
 * and specificity) that it can be rendered as (PS3.18 §8.7.4): images JPEG by default, reports HTML.
 */
export function chooseRendered(entries: readonly AcceptEntry[]): RenderedChoice {
  const choice: RenderedChoice = { documents: {} };
  const imageTypes = Object.values(FORMATS);
  for (const entry of entries) {
    const range = rangeOf(entry);
    if (choice.image === undefined) {
      const type = firstCovered(range, imageTypes);
      if (type !== undefined)
        choice.image = (Object.keys(FORMATS) as ImageFormat[]).find((f) => FORMATS[f] === type);
    }
    for (const kind of Object.keys(DOCUMENT_MEDIA_TYPES) as DocumentKind[]) {
      if (choice.documents[kind] !== undefined) continue;
      const type = firstCovered(range, DOCUMENT_MEDIA_TYPES[kind]);
      if (type !== undefined) choice.documents[kind] = type;
    }
  }
  return choice;
}
