import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.js';

describe('loadConfig', () => {
  it('gives the defaults of the runtime contract (DESIGN §1)', () => {
    const config = loadConfig({}, '/srv/lightbox');
    expect(config).toMatchObject({
      dataDir: '/srv/lightbox/data',
      host: '0.0.0.0',
      httpPort: 8080,
      dicomPort: 11112,
      aeTitle: 'LIGHTBOX',
      hl7Port: 2575,
      databaseUrl: 'sqlite:/srv/lightbox/data/lightbox.db',
      storageUrl: 'file:/srv/lightbox/data/objects',
      dicomTlsPort: 2762,
      hl7TlsPort: 2576,
      archive: { duplicatePolicy: 'keep-existing' },
    });
    expect(Object.isFrozen(config) && Object.isFrozen(config.archive)).toBe(true);
  });

  it('lets the environment override the file, and the file the defaults', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lightbox-config-'));
    const file = path.join(dir, 'lightbox.json');
    writeFileSync(
      file,
      JSON.stringify({ httpPort: 9000, aeTitle: 'FROMFILE', archive: { duplicatePolicy: 'reject' } }),
    );
    const config = loadConfig(
      { LIGHTBOX_CONFIG: file, LIGHTBOX_AE_TITLE: 'FROMENV', LIGHTBOX_DATA_DIR: dir },
      '/',
    );
    expect(config.httpPort).toBe(9000);
    expect(config.aeTitle).toBe('FROMENV');
    expect(config.archive.duplicatePolicy).toBe('reject');
    expect(config.databaseUrl).toBe(`sqlite:${dir}/lightbox.db`);
  });

  it('reports every problem at once', () => {
    try {
      loadConfig({
        LIGHTBOX_HTTP_PORT: 'eighty',
        LIGHTBOX_DICOM_PORT: '70000',
        LIGHTBOX_AE_TITLE: 'A_TITLE_LONGER_THAN_16',
        LIGHTBOX_DATABASE_URL: 'mysql://x',
        LIGHTBOX_DUPLICATE_POLICY: 'sometimes',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      for (const part of [
        'LIGHTBOX_HTTP_PORT',
        '/dicomPort',
        '/aeTitle',
        '/databaseUrl',
        '/archive/duplicatePolicy',
      ]) {
        expect(problems).toContain(part);
      }
    }
  });

  it('takes the origins allowed to read answers (CORS) from the file: none by default, origins only', () => {
    expect(loadConfig({}, '/').allowedOrigins).toEqual([]);
    const dir = mkdtempSync(path.join(tmpdir(), 'lightbox-config-'));
    const file = path.join(dir, 'lightbox.json');
    writeFileSync(
      file,
      JSON.stringify({ allowedOrigins: ['https://viewer.example.org', 'http://10.0.0.5:3000'] }),
    );
    expect(loadConfig({ LIGHTBOX_CONFIG: file }, '/').allowedOrigins).toEqual([
      'https://viewer.example.org',
      'http://10.0.0.5:3000',
    ]);
    // An origin is a scheme and a host: a path, or a wildcard for every site, is refused.
    for (const origin of ['https://viewer.example.org/ohif', '*', 'viewer.example.org']) {
      writeFileSync(file, JSON.stringify({ allowedOrigins: [origin] }));
      expect(() => loadConfig({ LIGHTBOX_CONFIG: file }, '/'), origin).toThrow(/allowedOrigins/);
    }
  });

  it('accepts the well-known private storage SOP classes by default, and a list from the file instead', () => {
    expect(loadConfig({}, '/').dicom.privateStorageSopClasses).toContain('1.3.12.2.1107.5.9.1'); // Siemens CSA
    const dir = mkdtempSync(path.join(tmpdir(), 'lightbox-config-'));
    const file = path.join(dir, 'lightbox.json');
    writeFileSync(file, JSON.stringify({ dicom: { privateStorageSopClasses: ['1.2.3.4.5'] } }));
    expect(loadConfig({ LIGHTBOX_CONFIG: file }, '/').dicom.privateStorageSopClasses).toEqual(['1.2.3.4.5']);
    for (const uid of ['1.2.03', 'CSA', '1..2', `1.${'2'.repeat(64)}`]) {
      writeFileSync(file, JSON.stringify({ dicom: { privateStorageSopClasses: [uid] } }));
      expect(() => loadConfig({ LIGHTBOX_CONFIG: file }, '/'), uid).toThrow(/privateStorageSopClasses/);
    }
  });

  it('reports an unreadable config file', () => {
    expect(() => loadConfig({ LIGHTBOX_CONFIG: '/nonexistent/lightbox.json' })).toThrow(/LIGHTBOX_CONFIG/);
  });
});
