import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerNode } from '../test-support/dimse-fixtures.js';
import { startTestLightbox, TEST_AE_TITLE, type TestLightbox } from '../test-support/test-lightbox.js';
import type { DicomNode } from '../dicom-nodes/dicom-node.js';
import { fromNodeHost } from './node-address.js';

const run = promisify(execFile);

describe('a registered AE title only from its node’s host (dicom.checkNodeAddress)', () => {
  let lb: TestLightbox;
  const dir = mkdtempSync(path.join(tmpdir(), 'lightbox-node-address-'));

  beforeAll(async () => {
    const config = path.join(dir, 'lightbox.json');
    writeFileSync(config, JSON.stringify({ dicom: { checkNodeAddress: true } }));
    lb = await startTestLightbox('sqlite', { LIGHTBOX_CONFIG: config });
  });
  afterAll(async () => {
    await lb?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const find = (callingAe: string) =>
    run(
      'findscu',
      [
        '-S',
        '-aet',
        callingAe,
        '-aec',
        TEST_AE_TITLE,
        '-k',
        'QueryRetrieveLevel=STUDY',
        '127.0.0.1',
        String(lb.dicomPort),
      ],
      { env: { ...process.env, TCP_NODELAY: '1' } },
    ).then(
      () => 'answered',
      (error: { stderr: string }) => error.stderr,
    );

  it('matches a node by its address or by a name that resolves to it, IPv4-mapped peers included', async () => {
    const node = (host: string): DicomNode => ({
      name: 'n',
      aet: 'N',
      host,
      port: 104,
      tls: false,
      source: 'api',
    });
    expect(await fromNodeHost([node('127.0.0.1')], '::ffff:127.0.0.1')).toBe(true);
    expect(await fromNodeHost([node('localhost')], '127.0.0.1')).toBe(true);
    expect(await fromNodeHost([node('10.9.8.7')], '127.0.0.1')).toBe(false);
    expect(await fromNodeHost([node('no-such-host.invalid')], '127.0.0.1')).toBe(false);
  });

  it('takes queries from a node at its registered host, and treats its AE title from elsewhere as unknown', async () => {
    expect(await registerNode(lb, 'here', { aet: 'HERE', host: 'localhost', port: 104 })).toBe(201);
    expect(await registerNode(lb, 'elsewhere', { aet: 'ELSEWHERE', host: '10.9.8.7', port: 104 })).toBe(201);
    expect(await find('HERE')).toBe('answered');
    expect(await find('ELSEWHERE')).toMatch(/No Acceptable Presentation Contexts|no presentation context/i);
  });
});
