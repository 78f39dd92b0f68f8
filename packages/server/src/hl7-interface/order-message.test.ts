import { parseMessage } from '@lightbox/hl7';
import { describe, expect, it } from 'vitest';
import { orderCommandsOf } from './order-message.js';

/** An order message (ORC-1 `control`) whose PV1-8 is `referring` (absent: no PV1 field 8). */
function order(control: 'NW' | 'XO', referring: string | undefined): string {
  return [
    'MSH|^~\\&|EHR|HOSP|LIGHTBOX|RAD|20260101120000||ORM^O01|C1|P|2.3.1',
    'PID|1||P1^^^HOSP^MR||DOE^JANE||19700101|F',
    `PV1|1|O|RAD^101^1|||||${referring ?? ''}`,
    `ORC|${control}|PL-1^EHR`,
    'OBR|1|PL-1^EHR||CTCHEST^CT chest^L||||||||||||||ACC1|RP-1||||||CT',
  ].join('\r');
}

const referringOf = (text: string) => {
  const [command] = orderCommandsOf(parseMessage(text));
  if (command === undefined || command.kind === 'status') throw new Error('expected a place or change');
  return {
    name: command.request.referringPhysician,
    id: command.request.referringProviderId,
    ...(command.request.referringProviderIssuer !== undefined
      ? { issuer: command.request.referringProviderIssuer }
      : {}),
  };
};

describe('the referring provider of an order message (PV1-8)', () => {
  it('takes the ID and name of PV1-8', () => {
    expect(referringOf(order('NW', 'NPI-1^WELBY^MARCUS'))).toEqual({ name: 'WELBY^MARCUS', id: 'NPI-1' });
  });

  it('takes who issued the ID from the assigning authority (XCN-9): namespace, else universal ID', () => {
    expect(referringOf(order('NW', 'NPI-1^WELBY^MARCUS^^^^^^HOSP&1.2.3&ISO'))).toEqual({
      name: 'WELBY^MARCUS',
      id: 'NPI-1',
      issuer: 'HOSP',
    });
    expect(referringOf(order('NW', 'NPI-1^WELBY^MARCUS^^^^^^&1.2.3&ISO'))).toMatchObject({ issuer: '1.2.3' });
    expect(referringOf(order('NW', '^WELBY^MARCUS^^^^^^HOSP'))).toEqual({ name: 'WELBY^MARCUS', id: '' });
  });

  it('reads a PV1-8 without an ID as no provider ID, so that a change takes the previous one away', () => {
    expect(referringOf(order('XO', '^WELBY^MARCUS'))).toEqual({ name: 'WELBY^MARCUS', id: '' });
  });

  it('changes nothing when PV1-8 is empty', () => {
    expect(referringOf(order('XO', undefined))).toEqual({ name: undefined, id: undefined });
  });
});
