import type { Hl7Delimiters } from './delimiters.js';
import { unescapeText } from './escape.js';
import type { Hl7Field, Hl7Repetition, Hl7Segment } from './hl7-message.js';

class ParsedRepetition implements Hl7Repetition {
  constructor(readonly components: readonly (readonly string[])[]) {}

  value(component = 1, subcomponent = 1): string {
    return this.components[component - 1]?.[subcomponent - 1] ?? '';
  }
}

class ParsedField implements Hl7Field {
  #repetitions: readonly Hl7Repetition[] | undefined;

  /** `literal`: MSH-1 and MSH-2, which are not split or unescaped (HL7 v2.5.1 §2.14.9.1–2). */
  constructor(
    readonly raw: string,
    private readonly delimiters: Hl7Delimiters,
    private readonly encoding: string,
    private readonly literal = false,
  ) {}

  get repetitions(): readonly Hl7Repetition[] {
    if (this.#repetitions === undefined) {
      const d = this.delimiters;
      this.#repetitions = this.literal
        ? [new ParsedRepetition([[this.raw]])]
        : this.raw
            .split(d.repetition)
            .map(
              (repetition) =>
                new ParsedRepetition(
                  repetition
                    .split(d.component)
                    .map((c) => c.split(d.subcomponent).map((s) => unescapeText(s, d, this.encoding))),
                ),
            );
    }
    return this.#repetitions;
  }

  value(component = 1, subcomponent = 1): string {
    if (this.raw === '') return '';
    return this.repetitions[0]!.value(component, subcomponent);
  }

  get isEmpty(): boolean {
    return this.raw === '';
  }

  get isNull(): boolean {
    return this.raw === '""';
  }
}

/** A segment parsed from its text (HL7 v2.5.1 §2.5.2); fields are split and unescaped on demand. */
export class ParsedSegment implements Hl7Segment {
  readonly id: string;
  readonly #parts: readonly string[];
  readonly #fields = new Map<number, Hl7Field>();

  constructor(
    readonly raw: string,
    private readonly delimiters: Hl7Delimiters,
    private readonly encoding: string,
  ) {
    this.#parts = raw.split(delimiters.field);
    this.id = this.#parts[0]!;
  }

  get length(): number {
    return this.id === 'MSH' ? this.#parts.length : this.#parts.length - 1;
  }

  field(n: number): Hl7Field {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`Field numbers start at 1, not ${n}`);
    let field = this.#fields.get(n);
    if (field === undefined) {
      const isMsh = this.id === 'MSH';
      // MSH-1 is the field separator itself, so MSH-n sits at index n - 1 of the split.
      const raw = isMsh ? (n === 1 ? this.delimiters.field : this.#parts[n - 1]) : this.#parts[n];
      field = new ParsedField(raw ?? '', this.delimiters, this.encoding, isMsh && n <= 2);
      this.#fields.set(n, field);
    }
    return field;
  }
}
