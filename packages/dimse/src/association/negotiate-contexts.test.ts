import { describe, expect, it } from 'vitest';
import type { ProposedPresentationContext } from '../pdu/associate-pdu.js';
import { PresentationContextResult } from '../pdu/pdu-type.js';
import { negotiatePresentationContexts } from './negotiate-contexts.js';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const MR = '1.2.840.10008.5.1.4.1.1.4';
const VERIFICATION = '1.2.840.10008.1.1';
const IMPLICIT = '1.2.840.10008.1.2';
const EXPLICIT = '1.2.840.10008.1.2.1';
const JPEG_LOSSLESS = '1.2.840.10008.1.2.4.70';
const JPEG2000 = '1.2.840.10008.1.2.4.90';

const ours = new Map<string, readonly string[]>([
  [CT, [EXPLICIT, IMPLICIT, JPEG_LOSSLESS]],
  [VERIFICATION, [IMPLICIT]],
]);
const acceptable = (abstractSyntax: string): readonly string[] | undefined => ours.get(abstractSyntax);

function ctContext(transferSyntaxes: string[]): ProposedPresentationContext[] {
  return [{ id: 1, abstractSyntax: CT, transferSyntaxes }];
}

describe('negotiatePresentationContexts', () => {
  it('answers 3 (abstract syntax not supported) for an abstract syntax we do not serve', () => {
    expect(
      negotiatePresentationContexts(
        [{ id: 7, abstractSyntax: MR, transferSyntaxes: [EXPLICIT] }],
        acceptable,
      ),
    ).toEqual([
      { id: 7, result: PresentationContextResult.AbstractSyntaxNotSupported, transferSyntax: EXPLICIT },
    ]);
  });

  it('answers 4 (transfer syntaxes not supported) when no proposed transfer syntax is ours', () => {
    expect(negotiatePresentationContexts(ctContext([JPEG2000]), acceptable)).toEqual([
      { id: 1, result: 4, transferSyntax: JPEG2000 },
    ]);
    expect(negotiatePresentationContexts(ctContext([]), acceptable)).toEqual([
      { id: 1, result: 4, transferSyntax: '' },
    ]);
  });

  it("keeps the requestor's order by default: the first proposed syntax we accept wins", () => {
    expect(negotiatePresentationContexts(ctContext([JPEG2000, JPEG_LOSSLESS, EXPLICIT]), acceptable)).toEqual(
      [{ id: 1, result: PresentationContextResult.Acceptance, transferSyntax: JPEG_LOSSLESS }],
    );
    expect(
      negotiatePresentationContexts(ctContext([JPEG2000, JPEG_LOSSLESS, EXPLICIT]), acceptable, 'requestor'),
    ).toEqual([{ id: 1, result: 0, transferSyntax: JPEG_LOSSLESS }]);
  });

  it("uses the acceptor's order when asked: our first syntax that was proposed wins", () => {
    expect(
      negotiatePresentationContexts(
        ctContext([JPEG2000, JPEG_LOSSLESS, IMPLICIT, EXPLICIT]),
        acceptable,
        'acceptor',
      ),
    ).toEqual([{ id: 1, result: 0, transferSyntax: EXPLICIT }]);
  });

  it('answers every context in order, each under its own ID', () => {
    const answers = negotiatePresentationContexts(
      [
        { id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] },
        { id: 3, abstractSyntax: MR, transferSyntaxes: [IMPLICIT] },
        { id: 5, abstractSyntax: CT, transferSyntaxes: [JPEG2000] },
        { id: 7, abstractSyntax: CT, transferSyntaxes: [IMPLICIT, EXPLICIT] },
      ],
      acceptable,
    );
    expect(answers.map((a) => [a.id, a.result, a.transferSyntax])).toEqual([
      [1, 0, IMPLICIT],
      [3, 3, IMPLICIT],
      [5, 4, JPEG2000],
      [7, 0, IMPLICIT],
    ]);
  });
});
