import type { AnsweredPresentationContext, ProposedPresentationContext } from '../pdu/associate-pdu.js';
import { PresentationContextResult } from '../pdu/pdu-type.js';

/**
 * Whose order of transfer syntaxes wins within one presentation context: the requestor's (what it listed
 * first, e.g. the compressed syntax a modality holds its images in, is kept as sent) or ours.
 */
export type TransferSyntaxPreference = 'requestor' | 'acceptor';

/**
 * Answers proposed presentation contexts (PS3.8 §9.3.3.2): `acceptable` gives, for an abstract syntax, the
 * transfer syntaxes we accept in our order of preference (undefined: abstract syntax not supported). Of
 * those the peer proposed, the first in the preferred order is chosen.
 */
export function negotiatePresentationContexts(
  proposed: readonly ProposedPresentationContext[],
  acceptable: (abstractSyntax: string) => readonly string[] | undefined,
  preference: TransferSyntaxPreference = 'requestor',
): AnsweredPresentationContext[] {
  return proposed.map((context) => {
    const ours = acceptable(context.abstractSyntax);
    if (ours === undefined) {
      return {
        id: context.id,
        result: PresentationContextResult.AbstractSyntaxNotSupported,
        transferSyntax: context.transferSyntaxes[0] ?? '',
      };
    }
    const chosen =
      preference === 'acceptor'
        ? ours.find((syntax) => context.transferSyntaxes.includes(syntax))
        : context.transferSyntaxes.find((syntax) => ours.includes(syntax));
    return chosen === undefined
      ? {
          id: context.id,
          result: PresentationContextResult.TransferSyntaxesNotSupported,
          transferSyntax: context.transferSyntaxes[0] ?? '',
        }
      : { id: context.id, result: PresentationContextResult.Acceptance, transferSyntax: chosen };
  });
}
