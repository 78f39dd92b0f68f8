import { describe, expect, it } from 'vitest';
import {
  bookedStep,
  calendarBlocks,
  calendarColumns,
  dropSlot,
  minutesOf,
  SLOT_COUNT,
  slotBooking,
  slotLabel,
  slotOfMinutes,
  slotTime,
  UNASSIGNED,
  waitingList,
  withBooking,
} from './calendar-layout';
import { testOrder, testStep } from './test-orders';

const day = '20240304';
const at = (accession: string, time: string, fields: Parameters<typeof testStep>[0] = {}) =>
  testOrder(accession, { steps: [testStep({ startTime: time, ...fields })] });

describe('calendar slots', () => {
  it('divides 07:00–20:00 into 52 slots of 15 minutes', () => {
    expect(SLOT_COUNT).toBe(52);
    expect(slotTime(0)).toBe('0700');
    expect(slotTime(12)).toBe('1000');
    expect(slotLabel(18)).toBe('11:30');
    expect(slotTime(SLOT_COUNT - 1)).toBe('1945');
    expect(minutesOf('113000')).toBe(690);
    expect(minutesOf('1130')).toBe(690);
    expect(minutesOf('2460')).toBeNull();
    expect(minutesOf(null)).toBeNull();
    expect(slotOfMinutes(690)).toBe(18);
    expect(slotOfMinutes(697)).toBe(18);
    expect(slotOfMinutes(5 * 60)).toBe(0);
    expect(slotOfMinutes(23 * 60)).toBe(SLOT_COUNT - 1);
  });

  it('drops where the dragged block is: pointer slot less the grab offset, within the day', () => {
    expect(dropSlot(12 * 20 + 10, 20)).toBe(12);
    expect(dropSlot(12 * 20 + 10, 20, 1)).toBe(11);
    expect(dropSlot(5, 20, 3)).toBe(0);
    expect(dropSlot(99 * 20, 20)).toBe(SLOT_COUNT - 1);
  });

  it('books a drop with the column station, blank for Unassigned', () => {
    expect(slotBooking(day, 18, 'CT1')).toEqual({ date: day, time: '1130', stationAe: 'CT1' });
    expect(slotBooking(day, 0, UNASSIGNED)).toEqual({ date: day, time: '0700', stationAe: '' });
  });
});

describe('calendar blocks', () => {
  it('places each exam in its station column, sized by its duration', () => {
    const blocks = calendarBlocks(
      [at('A1', '100000'), at('A2', '113000', { stationAe: '', durationMinutes: 60 })],
      day,
    );
    expect(blocks.map((b) => [b.order.accessionNumber, b.station, b.top, b.height])).toEqual([
      ['A1', 'CT1', 12, 2],
      ['A2', UNASSIGNED, 18, 4],
    ]);
    expect(blocks.every((b) => !b.clipped && b.lanes === 1)).toBe(true);
  });

  it('leaves out other days, withdrawn exams (unless asked) and exams without a time', () => {
    const orders = [
      at('OTHER', '100000', { startDate: '20240305' }),
      testOrder('CANCELLED', { status: 'cancelled', steps: [testStep({ status: 'CANCELED' })] }),
      testOrder('ORDERED', { status: 'ordered', requestedDate: null, requestedTime: null, steps: [] }),
      testOrder('NOSHOW', { status: 'no-show', steps: [testStep({ status: 'CANCELED' })] }),
    ];
    expect(calendarBlocks(orders, day).map((b) => b.order.accessionNumber)).toEqual(['NOSHOW']);
    // An order not booked yet stays in the waiting list, even with a requested time on the day.
    const requested = testOrder('REQ', { status: 'ordered', steps: [] });
    expect(calendarBlocks([requested], day)).toEqual([]);
    expect(calendarBlocks(orders, day, { showWithdrawn: true }).map((b) => b.order.accessionNumber)).toEqual([
      'CANCELLED',
      'NOSHOW',
    ]);
  });

  it('shows an exam with a requested time but no step at all in Unassigned, 30 minutes long', () => {
    const [block] = calendarBlocks([testOrder('NOSTEP', { requestedTime: '0800', steps: [] })], day);
    expect(block).toMatchObject({ station: UNASSIGNED, top: 4, height: 2, durationMinutes: 30 });
  });

  it('keeps exams outside 07:00–20:00 at the edge, marked clipped, and short exams one slot tall', () => {
    const blocks = calendarBlocks(
      [
        at('EARLY', '063000', { durationMinutes: 60 }),
        at('LATE', '201500'),
        at('SHORT', '120000', { durationMinutes: 5 }),
      ],
      day,
    );
    const byAccession = Object.fromEntries(blocks.map((b) => [b.order.accessionNumber, b]));
    expect(byAccession.EARLY).toMatchObject({ top: 0, height: 2, clipped: true });
    expect(byAccession.LATE).toMatchObject({ top: SLOT_COUNT - 1, height: 1, clipped: true });
    expect(byAccession.SHORT).toMatchObject({ top: 20, height: 1, clipped: false });
  });

  it('puts overlapping exams of a column side by side', () => {
    const blocks = calendarBlocks(
      [
        at('A', '100000', { durationMinutes: 60 }),
        at('B', '101500'),
        at('C', '104500'),
        at('D', '110000'),
        at('E', '100000', { stationAe: 'MR1' }),
      ],
      day,
    );
    const lanes = Object.fromEntries(blocks.map((b) => [b.order.accessionNumber, [b.lane, b.lanes]]));
    // A overlaps B and C; B ends before C starts, so C takes B's lane; D starts as A ends, in A's lane.
    expect(lanes).toEqual({ A: [0, 2], B: [1, 2], C: [1, 2], D: [0, 2], E: [0, 1] });
    // An exam after the cluster has the column to itself.
    const alone = calendarBlocks([at('A', '100000'), at('B', '101500'), at('F', '120000')], day);
    expect(alone.map((b) => b.lanes)).toEqual([2, 2, 1]);
  });

  it('uses the open step of the day when an order has several', () => {
    const order = testOrder('MULTI', {
      steps: [
        testStep({ stepId: 'S1', status: 'CANCELED' }),
        testStep({ stepId: 'S2', startTime: '090000' }),
      ],
    });
    expect(bookedStep(order, day)?.stepId).toBe('S2');
    expect(bookedStep(order, '20240305')).toBeUndefined();
  });

  it('lists Unassigned first, then the stations of the day and those added, sorted and once', () => {
    const blocks = calendarBlocks([at('A', '100000', { stationAe: 'MR1' }), at('B', '100000')], day);
    expect(calendarColumns(blocks, ['US1', 'CT1', ' '])).toEqual([UNASSIGNED, 'CT1', 'MR1', 'US1']);
    expect(calendarColumns([])).toEqual([UNASSIGNED]);
  });
});

describe('optimistic booking', () => {
  it('moves the open steps and the requested time of a scheduled exam', () => {
    const moved = withBooking(at('A', '100000'), { date: day, time: '1130', stationAe: 'MR1' });
    expect(moved.requestedTime).toBe('113000');
    expect(moved.steps).toMatchObject([{ startTime: '113000', stationAe: 'MR1', startDate: day }]);
    expect(calendarBlocks([moved], day)[0]).toMatchObject({ station: 'MR1', top: 18 });
  });

  it('gives an ordered exam a step and makes it scheduled', () => {
    const ordered = testOrder('O1', {
      status: 'ordered',
      requestedDate: null,
      requestedTime: null,
      steps: [],
    });
    const booked = withBooking(ordered, { date: day, time: '1000', stationAe: 'CT1' });
    expect(booked.status).toBe('scheduled');
    expect(booked.steps).toMatchObject([{ status: 'SCHEDULED', stationAe: 'CT1', startTime: '100000' }]);
    expect(calendarBlocks([booked], day)[0]).toMatchObject({ station: 'CT1', top: 12, height: 2 });
  });

  it('leaves finished steps where they were', () => {
    const order = testOrder('X', {
      steps: [testStep({ stepId: 'DONE', status: 'COMPLETED' }), testStep({ stepId: 'OPEN' })],
    });
    const moved = withBooking(order, { date: day, time: '1400', durationMinutes: 45 });
    expect(moved.steps.map((s) => [s.stepId, s.startTime, s.durationMinutes])).toEqual([
      ['DONE', '100000', 30],
      ['OPEN', '140000', 45],
    ]);
  });
});

describe('waiting list', () => {
  it('lists orders not yet booked, most urgent first, then oldest first', () => {
    const list = waitingList([
      testOrder('R2', { status: 'ordered', createdAt: 2 }),
      testOrder('S', { status: 'scheduled', priority: 'STAT' }),
      testOrder('R1', { status: 'ordered', createdAt: 1 }),
      testOrder('STAT', { status: 'ordered', priority: 'STAT', createdAt: 3 }),
      testOrder('LOW', { status: 'ordered', priority: 'LOW', createdAt: 0 }),
      testOrder('ODD', { status: 'ordered', priority: 'WHENEVER', createdAt: 4 }),
    ]);
    expect(list.map((o) => o.accessionNumber)).toEqual(['STAT', 'R1', 'R2', 'ODD', 'LOW']);
  });
});
