import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { ackOf, hl7Message, hl7Now, mllpSend } from '../test-support/hl7-peers.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';
import { hl7SenderCheck, isSenderEntry } from './hl7-senders.js';

const admit = (id: string) =>
  hl7Message(
    `MSH|^~\\&|EHR|HOSP|LIGHTBOX|RAD|${hl7Now()}||ADT^A04|${id}|P|2.5.1`,
    `EVN|A04|${hl7Now()}`,
    `PID|1||SENDER-${id}^^^HOSP^MR||Doe^Jane`,
  );

describe('HL7 senders allowed by address (hl7.allowedSenders)', () => {
  const started: TestLightbox[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'lightbox-senders-'));
  const withSenders = async (allowedSenders: string[]) => {
    const config = path.join(dir, `${started.length}.json`);
    writeFileSync(config, JSON.stringify({ hl7: { allowedSenders } }));
    const lb = await startTestLightbox('sqlite', { LIGHTBOX_CONFIG: config });
    started.push(lb);
    return lb;
  };
  afterAll(async () => {
    for (const lb of started) await lb.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('matches addresses and ranges, IPv4-mapped IPv6 peers included', () => {
    const check = hl7SenderCheck(['10.1.2.3', '192.168.0.0/16', 'fd00::/8'])!;
    expect(check('10.1.2.3')).toBe(true);
    expect(check('::ffff:10.1.2.3')).toBe(true);
    expect(check('192.168.77.1')).toBe(true);
    expect(check('fd12::1')).toBe(true);
    expect(check('10.1.2.4')).toBe(false);
    expect(check('127.0.0.1')).toBe(false);
    expect(check(undefined)).toBe(false);
    expect(hl7SenderCheck([])).toBeUndefined();
    expect(['10.0.0.0/8', '::1', 'fe80::/10'].every(isSenderEntry)).toBe(true);
    expect(['10.0.0.0/33', 'hospital.example', '10.0.0.1/8/1', '10.0.0.0/x'].some(isSenderEntry)).toBe(false);
  });

  it('refuses a configuration entry that is not an address or range', () => {
    const config = path.join(dir, 'bad.json');
    writeFileSync(config, JSON.stringify({ hl7: { allowedSenders: ['ehr.example.org'] } }));
    expect(() => loadConfig({ LIGHTBOX_CONFIG: config })).toThrow(/allowedSenders/);
  });

  it('takes messages from an allowed sender and closes the connection of any other, unanswered', async () => {
    const open = await withSenders(['127.0.0.0/8']);
    const [accepted] = await mllpSend(open.hl7Port, [admit('ALLOWED1')]);
    expect(ackOf(accepted!).code).toBe('AA');
    const closed = await withSenders(['10.9.8.7']);
    const answers = await mllpSend(closed.hl7Port, [admit('REFUSED1')]).catch(() => []);
    expect(answers).toEqual([]);
  });
});
