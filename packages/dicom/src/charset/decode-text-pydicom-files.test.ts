import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isMultiValuedStringVr, type Vr } from '../vr.js';
import { decodeText, trimTextPadding } from './index.js';

/**
 * Real files: David Clunie's character set examples (and pydicom's Korean and Japanese multi-value files),
 * shipped by Debian's python3-pydicom in pydicom/data/charset_files (see FileInfo.txt there).
 *
 * Each row holds the raw value bytes of one element, read with Debian's pydicom 2.3 at test-writing time
 * (RawDataElement.value, items of sequences included, with the (0008,0005) in effect there), and the values
 * pydicom itself decodes from them (DataElement_from_raw + convert_encodings), which are the oracle here:
 *   /usr/bin/python3 -c 'import pydicom; print(pydicom.dcmread(f).PatientName)'
 * Rows are the elements with a byte ≥ 0x80, an ESC or a backslash; pure-ASCII ones teach nothing.
 */
const CHARSET_FILES = '/usr/lib/python3/dist-packages/pydicom/data/charset_files';

// prettier-ignore
const VECTORS: readonly (readonly [string, string, Vr, readonly string[], string, readonly string[]])[] = [
  ['chrArab.dcm', '(0010,0010)', 'PN', ['ISO_IR 127'], 'e2c8c7e6ea5ee4e6d2c7d120', ['قباني^لنزار']],
  ['chrFren.dcm', '(0010,0010)', 'PN', ['ISO_IR 100'], '4275635e4ae972f46d65', ['Buc^Jérôme']],
  ['chrFrenMulti.dcm', '(0010,1000)', 'LO', ['ISO_IR 100'], '656767735c7370616d20', ['eggs', 'spam']],
  ['chrFrenMulti.dcm', '(0010,1001)', 'PN', ['ISO_IR 100'], '4275635e4ae972f46d655c4275635e4ae972f46d6520', ['Buc^Jérôme', 'Buc^Jérôme']],
  ['chrGerm.dcm', '(0010,0010)', 'PN', ['ISO_IR 100'], 'c46e6561735e52fc646967657220', ['Äneas^Rüdiger']],
  ['chrGreek.dcm', '(0010,0010)', 'PN', ['ISO_IR 126'], 'c4e9efedf5f3e9eff220', ['Διονυσιος']],
  ['chrH31.dcm', '(0010,0010)', 'PN', ['', 'ISO 2022 IR 87'], '59616d6164615e5461726f753d1b24423b3345441b28425e1b244242404f3a1b28423d1b24422464245e24401b28425e1b2442243f246d24261b2842', ['Yamada^Tarou=山田^太郎=やまだ^たろう']],
  ['chrH32.dcm', '(0010,0010)', 'PN', ['ISO 2022 IR 13', 'ISO 2022 IR 87'], 'd4cfc0de5ec0dbb33d1b24423b3345441b284a5e1b244242404f3a1b284a3d1b24422464245e24401b284a5e1b2442243f246d24261b284a', ['ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう']],
  ['chrHbrw.dcm', '(0010,0010)', 'PN', ['ISO_IR 138'], 'f9f8e5ef5ee3e1e5f8e4', ['שרון^דבורה']],
  ['chrI2.dcm', '(0010,0010)', 'PN', ['', 'ISO 2022 IR 149'], '486f6e675e47696c646f6e673d1b242943fbf35e1b242943d1ced4d73d1b242943c8ab5e1b242943b1e6b5bf', ['Hong^Gildong=洪^吉洞=홍^길동']],
  ['chrJapMulti.dcm', '(0010,0010)', 'PN', ['', 'ISO 2022 IR 87'], '1b24422464245e24401b28425e1b2442243f246d24261b284220', ['やまだ^たろう']],
  ['chrJapMulti.dcm', '(0010,1001)', 'PN', ['', 'ISO 2022 IR 87'], '1b24422464245e24401b28425e1b2442243f246d24261b28425c1b24422464245e24401b28425e1b2442243f246d24261b284220', ['やまだ^たろう', 'やまだ^たろう']],
  ['chrJapMulti.dcm', '(0010,21B0)', 'LT', ['', 'ISO 2022 IR 87'], '1b2442243f246d24261b2842', ['たろう']],
  ['chrJapMultiExplicitIR6.dcm', '(0010,0010)', 'PN', ['ISO 2022 IR 6', 'ISO 2022 IR 87'], '1b24422464245e24401b28425e1b2442243f246d24261b284220', ['やまだ^たろう']],
  ['chrJapMultiExplicitIR6.dcm', '(0010,1001)', 'PN', ['ISO 2022 IR 6', 'ISO 2022 IR 87'], '1b24422464245e24401b28425e1b2442243f246d24261b28425c1b24422464245e24401b28425e1b2442243f246d24261b284220', ['やまだ^たろう', 'やまだ^たろう']],
  ['chrJapMultiExplicitIR6.dcm', '(0010,21B0)', 'LT', ['ISO 2022 IR 6', 'ISO 2022 IR 87'], '1b2442243f246d24261b2842', ['たろう']],
  ['chrKoreanMulti.dcm', '(0008,1070)', 'PN', ['', 'ISO 2022 IR 149'], '1b242943b1e8c8f1c1df1b284220', ['김희중']],
  ['chrKoreanMulti.dcm', '(0010,1001)', 'PN', ['', 'ISO 2022 IR 149'], '1b242943b1e8c8f1c1df1b28425c1b242943b1e8c8f1c1df1b284220', ['김희중', '김희중']],
  ['chrKoreanMulti.dcm', '(0010,21B0)', 'LT', ['', 'ISO 2022 IR 149'], '1b242943b1e8c8f1c1df1b284220', ['김희중']],
  ['chrRuss.dcm', '(0010,0010)', 'PN', ['ISO_IR 144'], 'bbeeda6365dcd17970d3', ['Люкceмбypг']],
  ['chrSQEncoding.dcm', '(0032,1064) / item 0 / (0010,0010)', 'PN', ['ISO 2022 IR 13', 'ISO 2022 IR 87'], 'd4cfc0de5ec0dbb33d1b24423b3345441b28425e1b244242404f3a1b28423d1b24422464245e24401b28425e1b2442243f246d24261b2842', ['ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう']],
  ['chrX1.dcm', '(0010,0010)', 'PN', ['ISO_IR 192'], '57616e675e5869616f446f6e673de78e8b5ee5b08fe69db13d20', ['Wang^XiaoDong=王^小東']],
  ['chrX2.dcm', '(0010,0010)', 'PN', ['GB18030'], '57616e675e5869616f446f6e673dcdf55ed0a1b6ab3d', ['Wang^XiaoDong=王^小东']],
];

// pydicom strips trailing spaces and NULs from each value and, for PN, empty trailing component groups.
function asPydicomValues(decoded: string, vr: Vr): string[] {
  const values = isMultiValuedStringVr(vr) ? decoded.split('\\') : [decoded];
  return values.map((v) => {
    let end = v.length;
    while (end > 0 && (v[end - 1] === ' ' || v[end - 1] === '\u0000')) end--;
    const trimmed = v.slice(0, end);
    return vr === 'PN' ? trimmed.replace(/=+$/, '') : trimmed;
  });
}

describe('pydicom charset files', () => {
  for (const [file, path, vr, charset, hex, expected] of VECTORS) {
    it(`${file} ${path} (${vr}, ${charset.join('\\')})`, () => {
      const raw = Uint8Array.from(Buffer.from(hex, 'hex'));
      expect(asPydicomValues(decodeText(raw, charset, vr), vr)).toEqual(expected);
      // The padding helper agrees with pydicom on these values.
      if (vr !== 'PN') {
        const decoded = decodeText(raw, charset, vr);
        const values = isMultiValuedStringVr(vr) ? decoded.split('\\') : [decoded];
        expect(values.map((v) => trimTextPadding(v, vr))).toEqual(expected);
      }
    });
  }

  it('every vector still occurs, byte for byte, in the installed file', () => {
    // Guards the transcription. The test command installs python3-pydicom; a missing file fails here.
    for (const [file, , , , hex] of VECTORS) {
      const content = readFileSync(`${CHARSET_FILES}/${file}`);
      expect(content.indexOf(Buffer.from(hex, 'hex')), `${file}: ${hex}`).toBeGreaterThan(0);
    }
  });
});
