import { describe, expect, it } from 'vitest';
import { worklistCounts, worklistRows } from './worklist';
import { testOrder, testStep } from './test-orders';

const day = '20240304';

describe('technologist worklist', () => {
  it('orders the day by start time, the most urgent first at equal times', () => {
    const rows = worklistRows(
      [
        testOrder('LATE', { steps: [testStep({ startTime: '140000' })] }),
        testOrder('ROUTINE', { steps: [testStep({ startTime: '090000' })] }),
        testOrder('STAT', { priority: 'STAT', steps: [testStep({ startTime: '090000' })] }),
        testOrder('NOTIME', { requestedTime: null, steps: [] }),
        testOrder('REQUESTED', { requestedTime: '0800', steps: [] }),
      ],
      day,
    );
    expect(rows.map((r) => [r.order.accessionNumber, r.time])).toEqual([
      ['REQUESTED', '0800'],
      ['STAT', '090000'],
      ['ROUTINE', '090000'],
      ['LATE', '140000'],
      ['NOTIME', null],
    ]);
  });

  it('hides finished exams when asked, and counts the day', () => {
    const orders = [
      testOrder('A', { status: 'completed' }),
      testOrder('B', { status: 'arrived' }),
      testOrder('C', { status: 'no-show' }),
      testOrder('D', { status: 'in-progress' }),
      testOrder('E'),
    ];
    expect(worklistRows(orders, day, { hideDone: true }).map((r) => r.order.accessionNumber)).toEqual([
      'B',
      'D',
      'E',
    ]);
    expect(worklistCounts(orders)).toEqual({ total: 5, waiting: 1, arrived: 1, inProgress: 1, done: 1 });
  });
});
