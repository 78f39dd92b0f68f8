import { describe, expect, it } from 'vitest';
import { examActions, hasImages, mayReschedule, statusLabel } from './exam-actions';

const everything = { mayChange: true, mayPerform: true };
const labels = (status: string, rights = everything) => examActions(status, rights).map((a) => a.label);

describe('exam actions', () => {
  it('offers the next steps of each status, never a move backwards', () => {
    expect(labels('ordered')).toEqual(['Check in', 'Cancel']);
    expect(labels('scheduled')).toEqual(['Check in', 'No-show', 'Cancel']);
    expect(labels('arrived')).toEqual(['Start', 'Cancel']);
    expect(labels('in-progress')).toEqual(['Complete', 'Discontinue']);
    for (const final of ['completed', 'cancelled', 'discontinued', 'no-show', 'unknown'])
      expect(labels(final)).toEqual([]);
  });

  it('asks a reason for withdrawing an exam', () => {
    const scheduled = examActions('scheduled', everything);
    expect(scheduled.filter((a) => a.needsReason).map((a) => a.to)).toEqual(['no-show', 'cancelled']);
    expect(scheduled.find((a) => a.to === 'arrived')).toMatchObject({ needsReason: false, withdraws: false });
    expect(examActions('in-progress', everything).find((a) => a.to === 'discontinued')?.needsReason).toBe(
      true,
    );
  });

  it('leaves starting and completing to those who perform exams', () => {
    const scheduler = { mayChange: true, mayPerform: false };
    expect(labels('scheduled', scheduler)).toEqual(['Check in', 'No-show', 'Cancel']);
    expect(labels('arrived', scheduler)).toEqual(['Cancel']);
    expect(labels('in-progress', scheduler)).toEqual([]);
    const readOnly = { mayChange: false, mayPerform: false };
    expect(labels('scheduled', readOnly)).toEqual([]);
  });

  it('knows which exams can move and which have images', () => {
    expect(mayReschedule('ordered')).toBe(true);
    expect(mayReschedule('arrived')).toBe(true);
    expect(mayReschedule('in-progress')).toBe(false);
    expect(mayReschedule('completed')).toBe(false);
    expect(hasImages('in-progress')).toBe(true);
    expect(hasImages('completed')).toBe(true);
    expect(hasImages('arrived')).toBe(false);
    expect(statusLabel('in-progress')).toBe('in progress');
  });
});
