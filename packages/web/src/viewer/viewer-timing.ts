/**
 * Performance marks of the viewer (User Timing, readable in the browser's performance tools and by the
 * bench): when the viewer opened, when the first image was on screen, when an MPR volume started loading and
 * when it was complete. Each is marked once per page.
 */
export const ViewerMark = {
  /** A study was opened from the study list. */
  OpenStudy: 'lightbox:open-study',
  Open: 'lightbox:viewer-open',
  FirstImage: 'lightbox:first-image',
  VolumeStart: 'lightbox:volume-start',
  VolumeReady: 'lightbox:volume-ready',
} as const;

/** Marks a moment of the viewer, the first time only. */
export function markOnce(name: (typeof ViewerMark)[keyof typeof ViewerMark]): void {
  if (performance.getEntriesByName(name, 'mark').length === 0) performance.mark(name);
}
