import { describe, expect, it } from 'vitest';
import { orderQueryString } from './ris-api';

describe('order search query', () => {
  it('sends only the filters given, statuses comma-separated, with a page size', () => {
    expect(orderQueryString({})).toBe('limit=100');
    expect(
      orderQueryString({
        status: ['scheduled', 'arrived'],
        modality: 'CT',
        from: '20240304',
        to: '20240304',
        patientId: ' P1 ',
        accessionNumber: '',
        stationAe: 'CT 1',
        limit: 500,
        offset: 50,
      }),
    ).toBe(
      'status=scheduled%2Carrived&modality=CT&from=20240304&to=20240304&patientId=P1&stationAe=CT+1&limit=500&offset=50',
    );
    expect(orderQueryString({ status: [], offset: 0 })).toBe('limit=100');
  });
});
