import {
  cache,
  Enums,
  eventTarget,
  type RenderingEngine,
  type StackViewport,
  type Types,
} from '@cornerstonejs/core';
import { useEffect, useState } from 'react';

/** A decoder's failure for one image, as Cornerstone reports it (IMAGE_LOAD_ERROR with an image ID). */
interface ImageLoadError {
  imageId: string;
  error?: unknown;
}

/** What went wrong, in a line: Cornerstone passes errors, strings and XHR-like objects alike. */
export function failureReason(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status > 0) return `the archive answered ${status}`;
  return 'unknown error';
}

/** What a viewport says about an image it could not show. */
export function imageFailureNotice(index: number, reason: string): string {
  return `Image ${index + 1} could not be shown: ${reason}`;
}

/** What an image's pixels are checked by: its matrix and the samples its decoder gave. */
type DecodedImage = Pick<Types.IImage, 'rows' | 'columns' | 'numberOfComponents' | 'getPixelData'>;

/**
 * Why a decoded image cannot be drawn, or undefined when it can: fewer samples than its rows, columns and
 * components need. A codestream the decoder could not read (pydicom's JPEG 2000 with a delimiter inside)
 * gives none, and native YBR_FULL_422 two-thirds of them; Cornerstone then draws nothing (NaN window) and
 * reports no error.
 */
export function undrawableReason(image: DecodedImage): string | undefined {
  const needed = image.rows * image.columns * image.numberOfComponents;
  const decoded = image.getPixelData()?.length ?? 0;
  if (needed > 0 && decoded >= needed) return undefined;
  return decoded === 0
    ? 'its pixel data could not be decoded'
    : `its pixel data holds ${decoded} samples where ${image.rows} × ${image.columns} × ${image.numberOfComponents} need ${needed}`;
}

/** The image a failure names, when Cornerstone names one (a decoder's error does; a display's does not). */
function namedImage(detail: unknown): ImageLoadError | undefined {
  const imageId = (detail as { imageId?: unknown } | null)?.imageId;
  return typeof imageId === 'string' ? { imageId, error: (detail as ImageLoadError).error } : undefined;
}

/** The reason of the first rejection in a list of settled loads (Cornerstone's failures to display). */
function firstRejection(detail: unknown): unknown {
  if (!Array.isArray(detail)) return undefined;
  const rejected = detail.find((item: { status?: string }) => item.status === 'rejected') as
    { reason?: unknown } | undefined;
  return rejected?.reason;
}

/**
 * The notice of a stack viewport whose current image could not be shown (a corrupt codestream, a pixel
 * format the browser's decoders lack), or null: without it, the viewport stayed black with no word why.
 * A decoder's error names its image; an error while displaying an image that loaded names none, so it is
 * this viewport's when the image it was about to show is loaded but never became the one shown.
 */
export function useImageFailure(engine: RenderingEngine, viewportId: string, imageIds: readonly string[]) {
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    setNotice(null);
    const viewport = engine.getViewport(viewportId) as StackViewport | undefined;
    if (viewport === undefined) return;
    let pending: string | undefined;
    const indexOf = (imageId: string) => imageIds.indexOf(imageId);
    const aboutToShow = (event: Event) => {
      pending = (event as CustomEvent<{ imageId: string }>).detail.imageId;
    };
    const shown = (event: Event) => {
      const { image, imageId } = (event as CustomEvent<{ image: DecodedImage; imageId: string }>).detail;
      pending = undefined;
      const reason = undrawableReason(image);
      setNotice(reason !== undefined ? imageFailureNotice(indexOf(imageId), reason) : null);
    };
    const failed = (event: Event) => {
      const detail = (event as CustomEvent<unknown>).detail;
      const named = namedImage(detail);
      if (named !== undefined) {
        if (named.imageId === viewport.getCurrentImageId() && indexOf(named.imageId) >= 0)
          setNotice(imageFailureNotice(indexOf(named.imageId), failureReason(named.error)));
        return;
      }
      const rejection = firstRejection(detail);
      const image = pending !== undefined ? cache.getImage(pending) : undefined;
      if (rejection === undefined || pending === undefined || image === undefined) return;
      // The image's own shortfall says more than the error Cornerstone hit on it.
      const reason = undrawableReason(image) ?? failureReason(rejection);
      setNotice(imageFailureNotice(indexOf(pending), reason));
    };
    viewport.element.addEventListener(Enums.Events.PRE_STACK_NEW_IMAGE, aboutToShow);
    viewport.element.addEventListener(Enums.Events.STACK_NEW_IMAGE, shown);
    eventTarget.addEventListener(Enums.Events.IMAGE_LOAD_ERROR, failed);
    return () => {
      viewport.element.removeEventListener(Enums.Events.PRE_STACK_NEW_IMAGE, aboutToShow);
      viewport.element.removeEventListener(Enums.Events.STACK_NEW_IMAGE, shown);
      eventTarget.removeEventListener(Enums.Events.IMAGE_LOAD_ERROR, failed);
    };
  }, [engine, viewportId, imageIds]);

  return notice;
}
