import type { TargetCheck } from './report.js';
import { figure as f, table } from './text-table.js';
import type { ViewerBudgetCase } from './viewer-budget-case.js';
import type { TabMemory } from './viewer-memory.js';
import type { ViewerReport } from './viewer-phase.js';

/**
 * What the volume added to the renderer at its highest (resident set: high-water mark over the figure at
 * the first image): the part of the tab the budget is about.
 */
function rendererGrowth(m: TabMemory): number {
  return m.rendererPeakRssMib - m.rendererBeforeRssMib;
}

function gpuGrowth(m: TabMemory): number {
  return m.gpuPeakRssMib - m.gpuBeforeRssMib;
}

/** What the loaded volume holds in the renderer and the GPU process together (PSS over the first image). */
function heldGrowth(m: TabMemory): number {
  return m.rendererMib - m.rendererBeforeMib + (m.gpuMib - m.gpuBeforeMib);
}

function volumeText(m: TabMemory, slices: number): string {
  const volume = m.volumes[0];
  return volume === undefined ? 'none' : `${volume.slices} of ${slices} slices (${volume.dataType})`;
}

function memoryRow(label: string, m: TabMemory, slices: number): string[] {
  return [
    label,
    f(m.budgetMib, 0),
    f(m.cachePeakMib, 0),
    f(m.cacheMib, 0),
    f(m.rendererBeforeMib, 0),
    f(m.rendererMib, 0),
    `+${f(rendererGrowth(m), 0)}`,
    f(m.gpuBeforeMib, 0),
    f(m.gpuMib, 0),
    `+${f(gpuGrowth(m), 0)}`,
    volumeText(m, slices),
  ];
}

/** The printed memory table of the viewer scenario: each opening's tab against the viewer's budget. */
export function formatViewerMemory(report: ViewerReport): string[] {
  const budget = report.budgetCase;
  const rows = [
    ...report.runs.map((r, i) => memoryRow(`run ${i + 1}`, r.memory, report.slices)),
    memoryRow(`budget case (${budget.deviceMemoryGb} GB device)`, budget.memory, budget.slices),
  ];
  return [
    'Tab memory, MiB: before MPR (at the first image), with the volume loaded, and the most it grew while the volume loaded; against the budget the viewer applied',
    table(
      [
        'opening',
        'budget',
        'cache peak',
        'cache',
        'renderer before',
        'renderer',
        'renderer peak',
        'GPU before',
        'GPU',
        'GPU peak',
        'volume built',
      ],
      rows,
    ),
    "  cache: Cornerstone's decoded images and volumes (the viewer's figure); renderer, GPU: proportional set size of the viewer's renderer and of Chromium's GPU process (SwiftShader keeps textures there);",
    '  peak: resident set at its high-water mark while the volume loaded, over the figure at the first image',
    `  budget case: a ${budget.slices}-slice CT (${f(budget.fullVolumeMib, 0)} MiB as the viewer counts a volume) with navigator.deviceMemory = ${budget.deviceMemoryGb}: ` +
      (budget.error !== ''
        ? `FAILED: ${budget.error}`
        : `volume in ${f(budget.volumeMs, 0)} ms; the viewer says "${budget.notice || 'nothing'}"`),
    ...(budget.underPressure !== undefined
      ? [
          `  budget case under a critical memory-pressure notification: cache ${f(budget.underPressure.cacheMib, 0)}, ` +
            `renderer ${f(budget.underPressure.rendererMib, 0)}, GPU ${f(budget.underPressure.gpuMib, 0)} MiB`,
        ]
      : []),
  ];
}

/** 2nd, 3rd, 4th… (the budget case's step). */
function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

function budgetCaseHeld(c: ViewerBudgetCase): boolean {
  const kept = Math.ceil(c.slices / c.step);
  return (
    c.error === '' && c.step > 1 && c.volumeSlices === kept && c.memory.cachePeakMib <= c.memory.budgetMib
  );
}

/**
 * The "memory bounded by the configured budget", twice: the viewer's own figure (Cornerstone's cache
 * never above the budget, and a CT too large for it reduced, not crashing the tab), and the tab's (what the
 * volume added to the renderer, at its peak, within the budget), worst opening first.
 */
export function viewerMemoryChecks(report: ViewerReport): TargetCheck[] {
  const c = report.budgetCase;
  const openings = [...report.runs.map((r) => r.memory), c.memory];
  const cacheWithin = openings.every((m) => m.cachePeakMib <= m.budgetMib) && budgetCaseHeld(c);
  const worst = openings.reduce((a, b) =>
    rendererGrowth(b) / b.budgetMib > rendererGrowth(a) / a.budgetMib ? b : a,
  );
  return [
    {
      name: 'viewer: memory within the budget (cache)',
      target: '≤ budget',
      measured:
        c.error !== ''
          ? `${c.slices}-slice CT: ${c.error}`
          : `${f(c.memory.cachePeakMib, 0)} of ${f(c.memory.budgetMib, 0)} MiB, every ${ordinal(c.step)} slice`,
      pass: cacheWithin,
    },
    {
      name: 'viewer: memory within the budget (tab)',
      target: 'renderer growth ≤ budget',
      measured:
        `+${f(rendererGrowth(worst), 0)} of ${f(worst.budgetMib, 0)} MiB at peak` +
        `; renderer and GPU process hold +${f(heldGrowth(worst), 0)} MiB loaded` +
        (worst === c.memory && c.underPressure !== undefined
          ? ` (+${f(c.underPressure.rendererMib - c.memory.rendererBeforeMib, 0)} under pressure)`
          : ''),
      pass: rendererGrowth(worst) <= worst.budgetMib,
    },
  ];
}
