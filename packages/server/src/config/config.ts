/** How the archive answers a SOP Instance UID it already holds. */
export const DuplicatePolicy = {
  /** Default: the re-sent instance succeeds, no second copy is kept, the response says it was already stored. */
  KeepExisting: 'keep-existing',
  /** The re-sent instance fails with "Duplicate SOP Instance" (0111H / 409). */
  Reject: 'reject',
  /** The new object replaces the stored one (after it is durable); the old object is deleted. */
  Overwrite: 'overwrite',
} as const;

/** One of {@link DuplicatePolicy}. */
export type DuplicatePolicyValue = (typeof DuplicatePolicy)[keyof typeof DuplicatePolicy];

/** Log levels of pino. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** TLS material, as PEM file paths (runtime contract: LIGHTBOX_TLS_*). */
export interface TlsConfig {
  cert: string;
  key: string;
  ca?: string;
}

/** Archive behaviour. */
export interface ArchiveConfig {
  duplicatePolicy: DuplicatePolicyValue;
  /** Largest STOW-RS request body accepted, in bytes. */
  maxStowBytes: number;
  /** Largest number of results one QIDO-RS request returns (a larger `limit` is capped, with a Warning). */
  qidoMaxResults: number;
  /** Seal new objects with AES-256-GCM (default); objects stored in the clear stay readable either way. */
  encryptAtRest: boolean;
}

/** DIMSE behaviour (issue #3 §4). */
export interface DicomConfig {
  /** Most associations open at once; further requests are rejected as transient "local limit exceeded". */
  maxAssociations: number;
  /** C-FIND (and later C-MOVE, C-GET) from any calling AE; by default only from registered nodes. */
  queryFromAnyAe: boolean;
  /** C-FIND/C-MOVE/C-GET only with a verified user identity (each query then has that user's access). */
  queryRequiresUserIdentity: boolean;
  /** C-STORE from any calling AE (the default); otherwise only from registered nodes. */
  storeFromAnyAe: boolean;
  /** Modality Worklist and MPPS from any calling AE (the default); otherwise only from registered nodes. */
  worklistFromAnyAe: boolean;
  /**
   * A calling AE title counts as its registered node only when the association comes from that node's
   * host (its address, or one its name resolves to); default false: the AE title alone, as DICOM has it.
   */
  checkNodeAddress: boolean;
  /**
   * Vendors' private storage SOP classes accepted (and stored, and sent on) like the standard ones;
   * default: the well-known Siemens, Philips, GE, Toshiba, Fuji… classes (DEFAULT_PRIVATE_STORAGE_SOP_CLASSES).
   * A list given replaces the default; `[]` accepts none.
   */
  privateStorageSopClasses: string[];
  /** Remote nodes defined in the config file, by name; read-only through the API. */
  nodes: Record<string, { aet: string; host: string; port: number; tls?: boolean }>;
}

/** A system that is told of exam status changes over HL7 (issue #6 §2). */
export interface Hl7Destination {
  host: string;
  port: number;
  /** ORM^O01 for 2.3.1, OMG^O19 for 2.5.1. */
  version: '2.3.1' | '2.5.1';
  /** MLLP over TLS (with LIGHTBOX_TLS_* as our client certificate and CA). */
  tls?: boolean;
  /** MSH-5 / MSH-6 of the messages (default: the destination's name, and empty). */
  application?: string;
  facility?: string;
}

/** The HL7 interface (issue #6 §2). */
export interface Hl7Config {
  /** Where order status messages go, by name; each is queued in the database and retried until acknowledged. */
  destinations: Record<string, Hl7Destination>;
  /** First retry delay after a failed delivery; it doubles up to ten minutes. */
  retrySeconds: number;
  /** Days raw messages stay in the interface log (they hold PHI); messages still to be sent are kept. */
  keepDays: number;
  /** MSH-4 (sending facility) of Lightbox's messages and acknowledgements; MSH-3 is the AE title. */
  facility?: string;
  /**
   * Addresses and CIDR ranges (IPv4, IPv6) that may send HL7 messages; a connection from anywhere else
   * is closed at once. Left out or empty: every sender (MLLP carries no credentials).
   */
  allowedSenders?: string[];
}

/** The RIS (issue #6). */
export interface RisConfig {
  /** An exam started by its images, with no MPPS, is taken as completed when no image came for this long. */
  imageQuietMinutes: number;
}

/** Sign-in through an OpenID Connect provider (issue #4 §1): authorization code flow with PKCE. */
export interface OidcConfig {
  /** The issuer URL; its discovery document is read at start-up. HTTPS, or http on a loopback address. */
  issuer: string;
  clientId: string;
  clientSecret?: string;
  /** Where the provider sends the browser back; default `<public URL>/api/oidc/callback`. */
  redirectUri?: string;
  /** Where the provider sends the browser after signing out there; default `<public URL>/` (register it). */
  postLogoutRedirectUri?: string;
  /** The claim naming the user (default `preferred_username`, else `sub`). */
  usernameClaim?: string;
  /** The claim holding the user's groups or roles (default `roles`). */
  rolesClaim?: string;
  /** Provider group or role → Lightbox role; unmapped values are ignored. Default: Lightbox role names map to themselves. */
  roleMap?: Record<string, string>;
  /** A claim with the user's provider identifiers (e.g. NPI), for a referring physician's study access. */
  providerIdsClaim?: string;
}

/** The whole configuration, parsed once and frozen (DESIGN §2 "Composition root"). */
export interface Config {
  dataDir: string;
  host: string;
  httpPort: number;
  dicomPort: number;
  aeTitle: string;
  hl7Port: number;
  databaseUrl: string;
  storageUrl: string;
  adminPassword?: string;
  tls?: TlsConfig;
  dicomTlsPort: number;
  hl7TlsPort: number;
  auditSyslog?: string;
  masterKey?: string;
  oidc?: OidcConfig;
  /**
   * Addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is believed (comma-separated), so
   * that rate limits and the audit trail see the real client; default none.
   */
  trustProxy?: string;
  /**
   * Origins (scheme://host[:port]) of web apps on other hosts allowed to read Lightbox's answers (CORS),
   * authenticating with API tokens; default none: only Lightbox's own web app.
   */
  allowedOrigins: string[];
  /** Public base URL (e.g. https://pacs.example.org) used in RetrieveURL and BulkDataURI; default: from the request. */
  publicUrl?: string;
  logLevel: LogLevel;
  archive: ArchiveConfig;
  dicom: DicomConfig;
  hl7: Hl7Config;
  ris: RisConfig;
}
