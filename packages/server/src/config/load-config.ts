import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type JSONSchemaType } from 'ajv';
import { DEFAULT_PRIVATE_STORAGE_SOP_CLASSES } from '../dimse-scp/private-storage-sop-classes.js';
import type { Config } from './config.js';
import { isSenderEntry } from '../hl7-interface/hl7-senders.js';

/** Thrown when the configuration is invalid; `problems` lists every problem found, not just the first. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

const port = { type: 'integer', minimum: 0, maximum: 65535 } as const;

const schema: JSONSchemaType<Config> = {
  type: 'object',
  additionalProperties: false,
  required: [
    'dataDir', 'host', 'httpPort', 'dicomPort', 'aeTitle', 'hl7Port', 'databaseUrl', 'storageUrl',
    'dicomTlsPort', 'hl7TlsPort', 'logLevel', 'archive', 'dicom', 'hl7', 'ris',
  ], // prettier-ignore
  properties: {
    dataDir: { type: 'string', minLength: 1 },
    host: { type: 'string', minLength: 1 },
    httpPort: port,
    dicomPort: port,
    // PS3.8 §9.3.2: an AE title is 1–16 characters of the default repertoire, no backslash or control chars.
    aeTitle: { type: 'string', pattern: '^[\\x20-\\x5b\\x5d-\\x7e]{1,16}$' },
    hl7Port: port,
    databaseUrl: { type: 'string', pattern: '^(sqlite:|postgres://|postgresql://)' },
    storageUrl: { type: 'string', pattern: '^(file:|s3://)' },
    adminPassword: { type: 'string', minLength: 8, nullable: true },
    tls: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      required: ['cert', 'key'],
      properties: {
        cert: { type: 'string', minLength: 1 },
        key: { type: 'string', minLength: 1 },
        ca: { type: 'string', minLength: 1, nullable: true },
      },
    },
    dicomTlsPort: port,
    hl7TlsPort: port,
    oidc: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      required: ['issuer', 'clientId'],
      properties: {
        issuer: { type: 'string', pattern: '^(https://|http://(127\\.0\\.0\\.1|localhost|\\[::1\\])[:/])' },
        clientId: { type: 'string', minLength: 1 },
        clientSecret: { type: 'string', minLength: 1, nullable: true },
        redirectUri: { type: 'string', pattern: '^https?://', nullable: true },
        postLogoutRedirectUri: { type: 'string', pattern: '^https?://', nullable: true },
        usernameClaim: { type: 'string', minLength: 1, nullable: true },
        rolesClaim: { type: 'string', minLength: 1, nullable: true },
        roleMap: { type: 'object', nullable: true, required: [], additionalProperties: { type: 'string' } },
        providerIdsClaim: { type: 'string', minLength: 1, nullable: true },
      },
    },
    auditSyslog: { type: 'string', pattern: '^tls://[^/:]+(:[0-9]+)?/?$', nullable: true },
    masterKey: { type: 'string', minLength: 1, nullable: true },
    publicUrl: { type: 'string', pattern: '^https?://', nullable: true },
    trustProxy: { type: 'string', minLength: 1, nullable: true },
    allowedOrigins: {
      type: 'array',
      items: { type: 'string', pattern: '^https?://[^/?#\\s]+$' },
    },
    logLevel: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    archive: {
      type: 'object',
      additionalProperties: false,
      required: ['duplicatePolicy', 'maxStowBytes', 'qidoMaxResults', 'encryptAtRest'],
      properties: {
        duplicatePolicy: { type: 'string', enum: ['keep-existing', 'reject', 'overwrite'] },
        maxStowBytes: { type: 'integer', minimum: 1 },
        qidoMaxResults: { type: 'integer', minimum: 1, maximum: 100000 },
        encryptAtRest: { type: 'boolean' },
      },
    },
    dicom: {
      type: 'object',
      additionalProperties: false,
      required: [
        'maxAssociations',
        'queryFromAnyAe',
        'storeFromAnyAe',
        'worklistFromAnyAe',
        'queryRequiresUserIdentity',
        'privateStorageSopClasses',
        'nodes',
      ],
      properties: {
        maxAssociations: { type: 'integer', minimum: 1, maximum: 10000 },
        queryFromAnyAe: { type: 'boolean' },
        queryRequiresUserIdentity: { type: 'boolean' },
        storeFromAnyAe: { type: 'boolean' },
        worklistFromAnyAe: { type: 'boolean' },
        checkNodeAddress: { type: 'boolean' },
        // A UID (PS3.5 §9.1): digits and dots, 64 characters at most.
        privateStorageSopClasses: {
          type: 'array',
          items: { type: 'string', pattern: '^(0|[1-9][0-9]*)(\\.(0|[1-9][0-9]*))*$', maxLength: 64 },
        },
        nodes: {
          type: 'object',
          required: [],
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            required: ['aet', 'host', 'port'],
            properties: {
              aet: { type: 'string' },
              host: { type: 'string' },
              port: { type: 'integer' },
              tls: { type: 'boolean', nullable: true },
            },
          },
        },
      },
    },
    ris: {
      type: 'object',
      additionalProperties: false,
      required: ['imageQuietMinutes'],
      properties: { imageQuietMinutes: { type: 'number', minimum: 1, maximum: 1440 } },
    },
    hl7: {
      type: 'object',
      additionalProperties: false,
      required: ['destinations', 'retrySeconds', 'keepDays'],
      properties: {
        retrySeconds: { type: 'number', minimum: 0.1, maximum: 3600 },
        keepDays: { type: 'number', minimum: 1, maximum: 36500 },
        facility: { type: 'string', minLength: 1, maxLength: 20, nullable: true },
        allowedSenders: {
          type: 'array',
          items: { type: 'string', minLength: 2, maxLength: 50 },
          nullable: true,
        },
        destinations: {
          type: 'object',
          required: [],
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            required: ['host', 'port', 'version'],
            properties: {
              host: { type: 'string', minLength: 1 },
              port: { type: 'integer', minimum: 1, maximum: 65535 },
              version: { type: 'string', enum: ['2.3.1', '2.5.1'] },
              tls: { type: 'boolean', nullable: true },
              application: { type: 'string', nullable: true },
              facility: { type: 'string', nullable: true },
            },
          },
        },
      },
    },
  },
};

const ajv = new Ajv({ allErrors: true });
const validate = ajv.compile(schema);

type Env = Readonly<Record<string, string | undefined>>;
type Raw = Record<string, unknown>;

function readConfigFile(file: string, problems: string[]): Raw {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      problems.push(`LIGHTBOX_CONFIG ${file}: must hold a JSON object`);
      return {};
    }
    return parsed as Raw;
  } catch (error) {
    problems.push(`LIGHTBOX_CONFIG ${file}: ${(error as Error).message}`);
    return {};
  }
}

function integer(env: Env, name: string, problems: string[]): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text.trim())) {
    problems.push(`${name}: "${text}" is not a whole number`);
    return undefined;
  }
  return Number(text.trim());
}

function defined<T extends Raw>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined && v !== '')) as T;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * Builds the configuration from defaults, the optional JSON file named by LIGHTBOX_CONFIG and the
 * environment (which wins), validates it against one schema, and returns it frozen. Throws a
 * {@link ConfigError} listing every problem at once.
 */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const file = env.LIGHTBOX_CONFIG ? readConfigFile(path.resolve(cwd, env.LIGHTBOX_CONFIG), problems) : {};
  const fileArchive = (file.archive ?? {}) as Raw;
  const fromEnv: Raw = defined({
    dataDir: env.LIGHTBOX_DATA_DIR,
    host: env.LIGHTBOX_HOST,
    httpPort: integer(env, 'LIGHTBOX_HTTP_PORT', problems),
    dicomPort: integer(env, 'LIGHTBOX_DICOM_PORT', problems),
    aeTitle: env.LIGHTBOX_AE_TITLE,
    hl7Port: integer(env, 'LIGHTBOX_HL7_PORT', problems),
    databaseUrl: env.LIGHTBOX_DATABASE_URL,
    storageUrl: env.LIGHTBOX_STORAGE_URL,
    adminPassword: env.LIGHTBOX_ADMIN_PASSWORD,
    dicomTlsPort: integer(env, 'LIGHTBOX_DICOM_TLS_PORT', problems),
    hl7TlsPort: integer(env, 'LIGHTBOX_HL7_TLS_PORT', problems),
    auditSyslog: env.LIGHTBOX_AUDIT_SYSLOG,
    masterKey: env.LIGHTBOX_MASTER_KEY,
    publicUrl: env.LIGHTBOX_PUBLIC_URL,
    logLevel: env.LIGHTBOX_LOG_LEVEL,
  });
  const merged: Raw = { ...file, ...fromEnv };
  const dataDir = path.resolve(cwd, String(merged.dataDir ?? './data'));
  const tlsFromEnv = defined({
    cert: env.LIGHTBOX_TLS_CERT,
    key: env.LIGHTBOX_TLS_KEY,
    ca: env.LIGHTBOX_TLS_CA,
  });
  const tls = { ...((file.tls ?? {}) as Raw), ...tlsFromEnv };
  const raw: Raw = {
    host: '0.0.0.0',
    httpPort: 8080,
    dicomPort: 11112,
    aeTitle: 'LIGHTBOX',
    hl7Port: 2575,
    dicomTlsPort: 2762,
    hl7TlsPort: 2576,
    logLevel: 'info',
    allowedOrigins: [],
    ...merged,
    dataDir,
    databaseUrl: merged.databaseUrl ?? `sqlite:${path.join(dataDir, 'lightbox.db')}`,
    storageUrl: merged.storageUrl ?? `file:${path.join(dataDir, 'objects')}`,
    archive: {
      duplicatePolicy: 'keep-existing',
      maxStowBytes: 16 * 1024 ** 3,
      qidoMaxResults: 10000,
      encryptAtRest: true,
      ...fileArchive,
      ...(defined({
        duplicatePolicy: env.LIGHTBOX_DUPLICATE_POLICY,
        maxStowBytes: integer(env, 'LIGHTBOX_MAX_STOW_BYTES', problems),
      }) as Raw),
    },
  };
  raw.dicom = {
    maxAssociations: 64,
    queryFromAnyAe: false,
    queryRequiresUserIdentity: false,
    storeFromAnyAe: true,
    worklistFromAnyAe: true,
    checkNodeAddress: false,
    privateStorageSopClasses: [...DEFAULT_PRIVATE_STORAGE_SOP_CLASSES],
    nodes: {},
    ...((file.dicom ?? {}) as Raw),
  };
  raw.hl7 = { destinations: {}, retrySeconds: 30, keepDays: 90, ...((file.hl7 ?? {}) as Raw) };
  raw.ris = { imageQuietMinutes: 30, ...((file.ris ?? {}) as Raw) };
  if (Object.keys(tls).length > 0) raw.tls = tls;
  if (!validate(raw)) {
    for (const e of validate.errors ?? [])
      problems.push(`${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`);
  }
  const senders = (raw.hl7 as { allowedSenders?: unknown }).allowedSenders;
  if (Array.isArray(senders)) {
    for (const entry of senders)
      if (typeof entry === 'string' && !isSenderEntry(entry))
        problems.push(`/hl7/allowedSenders ${JSON.stringify(entry)} is not an IP address or CIDR range`);
  }
  // The OpenID Connect redirect URI must come from the configuration, never from a request's Host header.
  const oidc = raw.oidc as { redirectUri?: string } | undefined;
  if (oidc !== undefined && oidc.redirectUri === undefined && raw.publicUrl === undefined) {
    problems.push(
      'oidc needs oidc.redirectUri or LIGHTBOX_PUBLIC_URL (the redirect URI registered with the provider)',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(raw as unknown as Config);
}
