import type { TargetCheck } from './report.js';
import { median } from './stats.js';
import { figure as f, table } from './text-table.js';
import { formatViewerMemory, viewerMemoryChecks } from './viewer-memory-report.js';
import type { ViewerReport } from './viewer-phase.js';

/** The printed section of the viewer scenario. */
export function formatViewer(report: ViewerReport): string[] {
  const rows = report.runs.map((r, i) => [
    String(i + 1),
    f(r.firstImageFromNavigationMs, 0),
    f(r.firstImageFromViewerMs, 0),
    f(r.firstImageFromListMs, 0),
    f(r.volumeReadyMs, 0),
    f(r.volumeFromNavigationMs, 0),
    f(r.scrollFps, 1),
    f(r.heapMb, 0),
  ]);
  return [
    `Viewer (issue #5): a ${report.slices}-slice 512×512 CT opened in headless Chromium (${report.renderer}), a fresh context per run`,
    table(
      [
        'run',
        'first image ms (from link)',
        'first image ms (viewer)',
        'first image ms (from list)',
        'volume ms (MPR pressed)',
        'volume ms (from link)',
        'scroll fps',
        'JS heap MB',
      ],
      rows,
    ),
    '  first image: from the link includes loading the app itself; "viewer" from the viewer page mounted; "from list" from opening the study in the loaded app',
    '  volume timings start when MPR is pressed right after the first image',
    ...formatViewerMemory(report),
  ];
}

/**
 * The targets: first image < 300 ms, volume < 2 s, 60 fps scrolling (medians of the runs), memory
 * bounded by the viewer's budget (every opening).
 */
export function viewerChecks(report: ViewerReport): { targets: TargetCheck[] } {
  const m = (pick: (r: ViewerReport['runs'][number]) => number) => median(report.runs.map(pick));
  // The reading-room case: the app is open, the study is opened from the list.
  const firstImage = m((r) => r.firstImageFromListMs);
  const volume = m((r) => r.volumeReadyMs);
  const fps = m((r) => r.scrollFps);
  return {
    targets: [
      {
        name: 'viewer: first image of a 300-slice CT',
        target: '< 300 ms',
        measured: `${f(firstImage, 0)} ms`,
        pass: firstImage < 300,
      },
      {
        name: 'viewer: MPR volume loaded',
        target: '< 2 s',
        measured: `${f(volume, 0)} ms`,
        pass: volume < 2000,
      },
      { name: 'viewer: stack scrolling', target: '60 fps', measured: `${f(fps, 1)} fps`, pass: fps >= 59 },
      ...viewerMemoryChecks(report),
    ],
  };
}
