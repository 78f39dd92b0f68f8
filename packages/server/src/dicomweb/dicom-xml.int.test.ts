import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateUid, Tag, TransferSyntaxUid } from '@lightbox/dicom';
import {
  bytesElement,
  sequenceElement,
  syntheticImage,
  textElement,
  type SyntheticImageOptions,
} from '@lightbox/dicom/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody, splitMultipart } from '../test-support/dicomweb-client.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';

/**
 * DICOM XML (the Native DICOM Model, PS3.19 A.1) on the DICOMweb origin server: QIDO-RS and WADO-RS
 * metadata as `multipart/related; type="application/dicom+xml"`, the STOW-RS response as
 * `application/dicom+xml`. The parts are read by an independent reader: odil (Debian python3-odil), whose
 * `from_xml` reads the Native DICOM Model and whose WADO-RS client parses multipart XML responses; the
 * data sets it makes are written as Part 10 files and read back with DCMTK's dcmdump. (DCMTK 3.6.7's
 * xml2dcm reads only DCMTK's own XML format, not the Native DICOM Model.)
 */

type Json = Record<string, { vr: string; Value?: unknown[]; BulkDataURI?: string; InlineBinary?: string }>;

const XML_PARTS = 'multipart/related; type="application/dicom+xml"';
const PRIVATE_CREATOR = 'LIGHTBOX XML TEST';
const PATIENT_NAME = 'Yamada^Tarou=山田^太郎=やまだ^たろう';
const PROCEDURE = 'CT Chest & Abdomen <contrast>';

// odil, run with Debian's Python:
//   to-dicom XML OUT          reads a Native DICOM Model document, writes it as a Part 10 file
//   to-json XML               reads a document, prints it as DICOM JSON
//   metadata BASE AUTH STUDY  WADO-RS metadata in XML through odil's client; prints the data sets as JSON
const ODIL = `
import http.client, json, sys, urllib.parse
import odil

def read(path):
    with open(path, encoding="utf-8") as f:
        return odil.from_xml(f.read())

command = sys.argv[1]
if command == "to-dicom":
    data_set = read(sys.argv[2])
    with odil.open(sys.argv[3], "wb") as fd:
        odil.Writer.write_file(data_set, fd, odil.DataSet(), odil.registry.ExplicitVRLittleEndian)
elif command == "to-json":
    print(odil.as_json(read(sys.argv[2])))
elif command == "metadata":
    base_url, authorization, study = sys.argv[2:5]
    base = urllib.parse.urlsplit(base_url)
    url = odil.webservices.URL()
    url.scheme, url.authority, url.path = base.scheme, base.netloc, base.path
    wado = odil.webservices.WADORSRequest(url)
    wado.request_dicom(odil.webservices.Utils.Representation.DICOM_XML, odil.webservices.Selector({"studies": study}))
    request = wado.get_http_request()
    headers = dict(request.get_headers())
    headers["Authorization"] = authorization
    connection = http.client.HTTPConnection(base.netloc)
    connection.request(request.get_method(), request.get_target().path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    # odil keeps the quotes of parameter values: type="application/dicom+xml" (quoted, as RFC 2045
    # requires of a value with "/") would not be recognised, so they are taken off for it.
    received = {k.title(): v.replace('"', "") for k, v in response.getheaders()}
    parsed = odil.webservices.WADORSResponse(odil.webservices.HTTPResponse(
        "HTTP/1.1", response.status, response.reason, received, body))
    print(json.dumps({
        "accept": headers["Accept"],
        "representation": str(parsed.get_representation()),
        "dataSets": [json.loads(odil.as_json(d)) for d in parsed.get_data_sets()],
    }))
`;

/** Runs a peer without blocking the event loop: the server under test answers in this process. */
function run(command: string, args: string[], what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: 'utf8', maxBuffer: 1 << 28 }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(new Error(`${command} failed (${what}): ${error.message} ${stderr}${stdout}`));
    });
  });
}

const odil = (...args: string[]) =>
  run('/usr/bin/python3', ['-I', '-c', ODIL, ...args], "odil (Debian's python3-odil)");

/** odil writes DICOM JSON keys in lower case (PS3.18 F.2.1.1 asks for upper case): as ours, nested too. */
function upperCaseKeys(json: Json): Json {
  const out: Json = {};
  for (const [key, attribute] of Object.entries(json)) {
    out[key.toUpperCase()] =
      attribute.vr === 'SQ' && attribute.Value !== undefined
        ? { ...attribute, Value: (attribute.Value as Json[]).map(upperCaseKeys) }
        : attribute;
  }
  return out;
}

for (const dialect of DIALECTS) {
  describe(`DICOM XML over DICOMweb on ${dialect}`, () => {
    let lb: TestLightbox;
    let scratch: string;
    const study = generateUid();
    const ctSeries = generateUid();
    const srSeries = generateUid();
    const charset = ['ISO_IR 192'];
    const common: SyntheticImageOptions = {
      studyInstanceUid: study,
      patientId: 'XML-1',
      patientName: PATIENT_NAME,
      studyDate: '20240601',
      accessionNumber: 'ACC-XML',
      studyDescription: 'XML & friends',
      specificCharacterSet: 'ISO_IR 192',
      extra: [
        sequenceElement(Tag.ProcedureCodeSequence, [
          [
            textElement(Tag.CodeValue, 'SH', 'CTCHABD'),
            textElement(Tag.CodingSchemeDesignator, 'SH', '99LB'),
            textElement(Tag.CodeMeaning, 'LO', PROCEDURE, charset),
          ],
        ]),
        textElement(0x00090010, 'LO', PRIVATE_CREATOR),
        textElement(0x00091001, 'LO', 'private value'),
        // Over the inline limit of the metadata (1 KiB): a BulkDataURI.
        bytesElement(0x00091002, 'OB', new Uint8Array(2048).fill(7)),
      ],
    };
    const sops = [generateUid(), generateUid(), generateUid()];
    const objects = [
      syntheticImage({
        ...common,
        seriesInstanceUid: ctSeries,
        modality: 'CT',
        instanceNumber: 1,
        sopInstanceUid: sops[0],
      }),
      syntheticImage({
        ...common,
        seriesInstanceUid: ctSeries,
        modality: 'CT',
        instanceNumber: 2,
        sopInstanceUid: sops[1],
      }),
      syntheticImage({
        ...common,
        seriesInstanceUid: srSeries,
        modality: 'OT',
        seriesNumber: 2,
        sopInstanceUid: sops[2],
        transferSyntaxUid: TransferSyntaxUid.ImplicitVRLittleEndian,
      }),
    ];

    const request = (url: string, init: RequestInit = {}) =>
      fetch(url.startsWith('http') ? url : `${lb.dicomweb}${url}`, {
        ...init,
        headers: { authorization: lb.authorization, ...(init.headers as Record<string, string>) },
      });
    /** The parts of a multipart XML answer, each checked to be one application/dicom+xml document. */
    const xmlParts = async (url: string, accept = XML_PARTS): Promise<string[]> => {
      const response = await request(url, { headers: { accept } });
      expect(response.status, await response.clone().text()).toBe(200);
      const contentType = response.headers.get('content-type') ?? '';
      expect(contentType).toMatch(/^multipart\/related; type="application\/dicom\+xml"; boundary=/);
      const parts = splitMultipart(Buffer.from(await response.arrayBuffer()), contentType);
      for (const part of parts) {
        expect(part.headers['content-type']).toBe('application/dicom+xml');
        expect(part.body.toString('utf8')).toMatch(
          /^<\?xml version="1.0" encoding="UTF-8"\?>\n<NativeDicomModel xmlns="http:\/\/dicom.nema.org\/PS3.19\/models\/NativeDICOM" xml:space="preserve">\n[^]*<\/NativeDicomModel>\n$/,
        );
      }
      return parts.map((p) => p.body.toString('utf8'));
    };
    const json = async (url: string): Promise<Json[]> => {
      const response = await request(url, { headers: { accept: 'application/dicom+json' } });
      expect(response.status, await response.clone().text()).toBe(200);
      return (await response.json()) as Json[];
    };
    let files = 0;
    const scratchFile = (text: string, name: string) => {
      const file = path.join(scratch, `${++files}-${name}`);
      writeFileSync(file, text);
      return file;
    };
    /** A document read by odil, as DICOM JSON. */
    const odilJson = async (xml: string): Promise<Json> =>
      upperCaseKeys(JSON.parse(await odil('to-json', scratchFile(xml, 'part.xml'))) as Json);
    /** A document read by odil and written as a Part 10 file, dumped by DCMTK (UTF-8 values). */
    const dcmdumpOf = async (xml: string): Promise<string> => {
      const dicom = path.join(scratch, `${++files}-part.dcm`);
      await odil('to-dicom', scratchFile(xml, 'part.xml'), dicom);
      return run('dcmdump', ['+U8', dicom], 'DCMTK dcmdump');
    };
    const uidOf = (xml: string, keyword: string) =>
      new RegExp(`keyword="${keyword}"><Value number="1">([^<]*)</Value>`).exec(xml)?.[1];

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      scratch = mkdtempSync(path.join(tmpdir(), 'lightbox-dicom-xml-'));
    });
    afterAll(async () => {
      await lb?.stop();
      if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
    });

    it('answers STOW-RS in application/dicom+xml when asked, with the data set of the JSON answer', async () => {
      const { body, contentType } = multipartBody(objects.map((bytes) => ({ bytes })));
      const response = await request('/studies', {
        method: 'POST',
        body,
        headers: { 'content-type': contentType, accept: 'application/dicom+xml' },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/dicom+xml');
      const xml = await response.text();
      expect(xml).toContain('<DicomAttribute tag="00081199" vr="SQ" keyword="ReferencedSOPSequence">');
      const stored = await odilJson(xml);
      expect(stored['00081190']!.Value).toEqual([`${lb.dicomweb}/studies/${study}`]);
      const referenced = stored['00081199']!.Value as Json[];
      expect(referenced.map((r) => r['00081155']!.Value![0]).sort()).toEqual([...sops].sort());
      const ct = referenced.find((r) => r['00081155']!.Value![0] === sops[0])!;
      expect(ct['00081190']!.Value).toEqual([
        `${lb.dicomweb}/studies/${study}/series/${ctSeries}/instances/${sops[0]}`,
      ]);
      expect(stored['00081198']).toBeUndefined();

      // Re-sent, with neither media type in the Accept list: DICOM JSON as before (the instances are
      // stored either way; a 406 would hide the outcome).
      const again = await request('/studies', {
        method: 'POST',
        body,
        headers: { 'content-type': contentType, accept: 'image/jpeg' },
      });
      expect(again.status).toBe(200);
      expect(again.headers.get('content-type')).toContain('application/dicom+json');
      expect(((await again.json()) as Json)['00081199']!.Value).toHaveLength(3);
    });

    it('answers QIDO-RS at each level with one XML part per match, as many as in JSON', async () => {
      for (const url of [
        `/studies?StudyInstanceUID=${study}`,
        `/studies/${study}/series`,
        `/series?StudyInstanceUID=${study}&includefield=all`,
        `/studies/${study}/instances`,
        `/studies/${study}/series/${ctSeries}/instances?includefield=00091001`,
      ]) {
        const parts = await xmlParts(url);
        const matches = await json(url);
        expect(parts, url).toHaveLength(matches.length);
        // Same matches in the same order, each with its RetrieveURL; odil reads every part.
        for (const [i, xml] of parts.entries()) {
          const read = await odilJson(xml);
          for (const key of ['0020000D', '0020000E', '00080018', '00081190', '00201208', '00201209']) {
            expect(read[key]?.Value, `${url} ${key}`).toEqual(matches[i]![key]?.Value);
          }
        }
      }
      const [studyXml] = await xmlParts(`/studies?PatientID=XML-1`);
      expect(studyXml).toContain(
        '<DicomAttribute tag="00100010" vr="PN" keyword="PatientName"><PersonName number="1">' +
          '<Alphabetic><FamilyName>Yamada</FamilyName><GivenName>Tarou</GivenName></Alphabetic>' +
          '<Ideographic><FamilyName>山田</FamilyName><GivenName>太郎</GivenName></Ideographic>' +
          '<Phonetic><FamilyName>やまだ</FamilyName><GivenName>たろう</GivenName></Phonetic></PersonName></DicomAttribute>',
      );
      expect(studyXml).toContain(
        '<DicomAttribute tag="00081030" vr="LO" keyword="StudyDescription"><Value number="1">XML &amp; friends</Value></DicomAttribute>',
      );
      expect(studyXml).toContain(
        `<DicomAttribute tag="00081190" vr="UR" keyword="RetrieveURL"><Value number="1">${lb.dicomweb}/studies/${study}</Value></DicomAttribute>`,
      );
      expect(studyXml).toMatch(
        /<DicomAttribute tag="00201208" vr="IS" keyword="NumberOfStudyRelatedInstances"><Value number="1">3<\/Value>/,
      );
      // A private attribute asked for with its creator is gggg00ee with privateCreator (PS3.19 A.1.5);
      // without it, the creator is not known and the full tag is kept.
      const instances = `/studies/${study}/series/${ctSeries}/instances`;
      const [withCreator] = await xmlParts(`${instances}?includefield=00090010,00091001`);
      expect(withCreator).toContain(
        `<DicomAttribute tag="00090001" vr="LO" privateCreator="${PRIVATE_CREATOR}"><Value number="1">private value</Value></DicomAttribute>`,
      );
      const [alone] = await xmlParts(`${instances}?includefield=00091001`);
      expect(alone).toContain(
        '<DicomAttribute tag="00091001" vr="LO"><Value number="1">private value</Value></DicomAttribute>',
      );
    });

    it('pages XML search results as JSON ones, takes the accept parameter, and answers no match with 204', async () => {
      const url = `/studies/${study}/instances?limit=1&offset=1`;
      const [page] = await json(url);
      const parts = await xmlParts(url);
      expect(parts).toHaveLength(1);
      expect(uidOf(parts[0]!, 'SOPInstanceUID')).toBe(page!['00080018']!.Value![0]);

      const byParameter = await request(
        `/studies?StudyInstanceUID=${study}&accept=${encodeURIComponent(XML_PARTS)}`,
        { headers: { accept: 'application/dicom+json' } },
      );
      expect(byParameter.status).toBe(200);
      expect(byParameter.headers.get('content-type')).toMatch(
        /^multipart\/related; type="application\/dicom\+xml"/,
      );
      await byParameter.arrayBuffer();

      const none = await request(`/studies?PatientID=nobody-at-all`, { headers: { accept: XML_PARTS } });
      expect(none.status).toBe(204);
      expect(await none.text()).toBe('');
      // JSON is unchanged: 200 and an empty array.
      expect(await json(`/studies?PatientID=nobody-at-all`)).toEqual([]);
    });

    it('answers metadata in XML with BulkDataURIs, person name groups, sequences and private attributes', async () => {
      const url = `/studies/${study}/series/${ctSeries}/metadata`;
      const metadata = await json(url);
      const parts = await xmlParts(url);
      expect(parts).toHaveLength(2);
      const part = parts.find((p) => uidOf(p, 'SOPInstanceUID') === sops[0])!;
      const ours = metadata.find((m) => m['00080018']!.Value![0] === sops[0])!;

      // BulkData URIs: the JSON ones, absolute, and they serve the values.
      const pixelUri = ours['7FE00010']!.BulkDataURI!;
      expect(pixelUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/dicomweb\/studies\/.*\/bulkdata\/7FE00010$/);
      expect(part).toContain(
        `<DicomAttribute tag="7FE00010" vr="OW" keyword="PixelData"><BulkData uri="${pixelUri}"/></DicomAttribute>`,
      );
      expect(part).toContain(
        `<DicomAttribute tag="00090002" vr="OB" privateCreator="${PRIVATE_CREATOR}"><BulkData uri="${ours['00091002']!.BulkDataURI!}"/></DicomAttribute>`,
      );
      const bulk = await request(ours['00091002']!.BulkDataURI!);
      expect(bulk.status).toBe(200);
      const [bulkPart] = splitMultipart(
        Buffer.from(await bulk.arrayBuffer()),
        bulk.headers.get('content-type')!,
      );
      expect(bulkPart!.body).toEqual(Buffer.alloc(2048, 7));

      expect(part).toContain(
        `<DicomAttribute tag="00090010" vr="LO"><Value number="1">${PRIVATE_CREATOR}</Value></DicomAttribute>`,
      );
      expect(part).toContain(
        '<Ideographic><FamilyName>山田</FamilyName><GivenName>太郎</GivenName></Ideographic>',
      );
      expect(part).toContain(
        '<DicomAttribute tag="00081032" vr="SQ" keyword="ProcedureCodeSequence"><Item number="1">\n' +
          '<DicomAttribute tag="00080100" vr="SH" keyword="CodeValue"><Value number="1">CTCHABD</Value></DicomAttribute>\n',
      );
      expect(part).toContain('<Value number="1">CT Chest &amp; Abdomen &lt;contrast&gt;</Value>');

      // The real-parts check: odil reads the part, writes it as DICOM, and DCMTK reads that back.
      const dump = await dcmdumpOf(part);
      expect(dump).toContain(`(0010,0010) PN [${PATIENT_NAME}]`);
      expect(dump).toContain(`(0008,0018) UI [${sops[0]}]`);
      expect(dump).toContain(`(0008,0104) LO [${PROCEDURE}]`);
      expect(dump).toMatch(
        /\(0008,1032\) SQ[^\n]*\n\s*\(fffe,e000\) na[^\n]*\n\s*\(0008,0100\) SH \[CTCHABD\]/,
      );
      expect(dump).toContain(`(0009,0010) LO [${PRIVATE_CREATOR}]`);
      // odil takes `tag` literally and ignores privateCreator, so the element comes back as (0009,0001):
      // the value is there, the block (10) is odil's to restore and it does not.
      expect(dump).toContain('(0009,0001) LO [private value]');
      expect(dump).toContain('(0020,0013) IS [1]');
    });

    it("is read by odil's WADO-RS client, which asks for metadata in XML", async () => {
      const answer = JSON.parse(await odil('metadata', lb.dicomweb, lb.authorization, study)) as {
        accept: string;
        representation: string;
        dataSets: Json[];
      };
      expect(answer.representation).toBe('Representation.DICOM_XML');
      answer.dataSets = answer.dataSets.map(upperCaseKeys);
      expect(answer.accept).toBe('multipart/related;type=application/dicom+xml');
      expect(answer.dataSets).toHaveLength(3);
      const ct = answer.dataSets.find((d) => d['00080018']!.Value![0] === sops[0])!;
      expect(ct['00100010']!.Value).toEqual([
        { Alphabetic: 'Yamada^Tarou', Ideographic: '山田^太郎', Phonetic: 'やまだ^たろう' },
      ]);
      const code = (ct['00081032']!.Value as Json[])[0]!;
      expect(code['00080104']!.Value).toEqual([PROCEDURE]);
    });

    it('records the same audit events for XML as for JSON', async () => {
      const events = async (eventId: string) =>
        (
          (await (
            await request(`${lb.baseUrl}/api/audit-events?studyUid=${study}&eventId=${eventId}&limit=1000`)
          ).json()) as unknown[]
        ).length;
      const url = `/studies/${study}/metadata`;
      const before = await events('110103');
      await json(url);
      const afterJson = await events('110103');
      await xmlParts(url);
      const afterXml = await events('110103');
      expect(afterJson - before).toBe(1);
      expect(afterXml - afterJson).toBe(1);
    });

    it('answers QIDO 406 for an Accept list naming neither JSON nor multipart XML, metadata JSON', async () => {
      for (const url of [`/studies?StudyInstanceUID=${study}`, `/studies/${study}/metadata`]) {
        const metadata = url.endsWith('/metadata');
        for (const accept of [
          'image/jpeg',
          'application/dicom+xml',
          'multipart/related; type="application/dicom"',
        ]) {
          const response = await request(url, { headers: { accept } });
          // Metadata stays JSON when XML is not preferred: clients send one Accept for all of WADO-RS.
          expect(response.status, `${url} ${accept}`).toBe(metadata ? 200 : 406);
          if (metadata) {
            expect(response.headers.get('content-type')).toContain('application/dicom+json');
            await response.arrayBuffer();
            continue;
          }
          expect(response.headers.get('content-type')).toContain('application/problem+json');
          expect(((await response.json()) as { detail: string }).detail).toContain(XML_PARTS);
        }
        const byParameter = await request(`${url}${url.includes('?') ? '&' : '?'}accept=image/png`);
        expect(byParameter.status).toBe(metadata ? 200 : 406);
        await byParameter.arrayBuffer();
        // As clients write the parameter: a bare `*` (dcm4che's wadors), an unencoded `+`.
        for (const parameter of ['*', 'application/dicom+json']) {
          const response = await request(`${url}${url.includes('?') ? '&' : '?'}accept=${parameter}`);
          expect(response.status, parameter).toBe(200);
          expect(response.headers.get('content-type')).toContain('application/dicom+json');
          await response.arrayBuffer();
        }
        const xmlByParameter = await request(
          `${url}${url.includes('?') ? '&' : '?'}accept=multipart/related;type=application/dicom+xml`,
        );
        expect(xmlByParameter.headers.get('content-type')).toContain('multipart/related');
        await xmlByParameter.arrayBuffer();
        // JSON stays the default.
        for (const accept of [undefined, '*/*', 'application/json', 'application/dicom+json']) {
          const response = await request(url, { headers: accept === undefined ? {} : { accept } });
          expect(response.status).toBe(200);
          expect(response.headers.get('content-type')).toContain('application/dicom+json');
          await response.arrayBuffer();
        }
      }
    });
  });
}
