import { describe, expect, it } from 'vitest';
import {
  fuzzyKeyList,
  fuzzyNameKeys,
  nameWords,
  normalizeAlphabeticName,
  normalizeNameText,
  phoneticKey,
} from './person-name-search.js';

describe('person name forms for matching', () => {
  it('normalises case, accents and spaces around component delimiters', () => {
    expect(normalizeNameText('Müller ^ Jürgen ')).toBe('MULLER^JURGEN');
    expect(normalizeNameText('Øster^Ægir^^^')).toBe('OSTER^AEGIR');
    expect(normalizeNameText('straße')).toBe('STRASSE');
    expect(normalizeAlphabeticName('Yamada^Tarou=山田^太郎=やまだ^たろう')).toBe('YAMADA^TAROU');
  });

  it('splits a name into words at component delimiters, spaces, commas and hyphens', () => {
    expect(nameWords('de la Cruz-Smith^Mary Ann')).toEqual(['DE', 'LA', 'CRUZ', 'SMITH', 'MARY', 'ANN']);
  });

  it('gives sound-alike names the same key', () => {
    const same = [
      ['Smith', 'Smyth'],
      ['Jon', 'John'],
      ['Catherine', 'Kathryn'],
      ['Müller', 'Mueller'],
      ['Mueller', 'Muller'],
      ['Philip', 'Filip'],
      ['Meier', 'Meyer'],
    ];
    for (const [a, b] of same) expect(phoneticKey(a!), `${a} ~ ${b}`).toBe(phoneticKey(b!));
  });

  it('tells different names apart', () => {
    for (const [a, b] of [
      ['Smith', 'Jones'],
      ['Mary', 'Mark'],
      ['Brown', 'Green'],
    ]) {
      expect(phoneticKey(a!), `${a} ≁ ${b}`).not.toBe(phoneticKey(b!));
    }
  });

  it('keeps ideographic words as they are', () => {
    expect(phoneticKey('山田')).toBe('山田');
  });

  it('stores the keys of every word of every component group, space padded', () => {
    const keys = fuzzyNameKeys('Smith^John=スミス^ジョン');
    expect(keys.startsWith(' ') && keys.endsWith(' ')).toBe(true);
    expect(keys).toContain(` ${phoneticKey('Smyth')} `);
    expect(keys).toContain(` ${phoneticKey('Jon')} `);
    expect(keys).toContain(' スミス ');
    expect(fuzzyNameKeys('')).toBe('');
  });

  it('lists the keys of a stored fuzzy form, one per row of the name key table', () => {
    expect(fuzzyKeyList(fuzzyNameKeys('Smith^John Paul'))).toEqual(['S53', 'J5', 'P4']);
    expect(fuzzyKeyList('')).toEqual([]);
    expect(fuzzyKeyList(null)).toEqual([]);
  });
});
