import { AppError, ErrorCode } from '../shared/app-error.js';

/** A remote DICOM application entity Lightbox talks to (runtime contract: `PUT /api/dicom-nodes/{name}`). */
export interface DicomNode {
  name: string;
  aet: string;
  host: string;
  port: number;
  /** Associations to the node use DICOM TLS. */
  tls: boolean;
  /** Where it is defined: the config file (read-only through the API) or the API (kept in the database). */
  source: 'config' | 'api';
}

/** What a client gives to register a node. */
export interface DicomNodeInput {
  aet: string;
  host: string;
  port: number;
  tls?: boolean;
}

/** PS3.8 §9.3.2: 1–16 characters of the default repertoire, no backslash, not all spaces. */
const AE_TITLE = /^(?! *$)[\x20-\x5b\x5d-\x7e]{1,16}$/;
/** Node names appear in URLs: keep them plain. */
const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function invalid(parameter: string, detail: string): AppError {
  return new AppError(ErrorCode.InvalidParameter, `${parameter}: ${detail}`, parameter);
}

/** Validates a node definition; errors name the field at fault. */
export function validateDicomNode(
  name: string,
  input: DicomNodeInput,
  source: DicomNode['source'],
): DicomNode {
  if (!NODE_NAME.test(name)) {
    throw invalid('name', 'letters, digits, ".", "_" and "-", at most 64, starting with a letter or digit');
  }
  const aet = typeof input.aet === 'string' ? input.aet.trim() : '';
  if (!AE_TITLE.test(aet))
    throw invalid('aet', 'an AE title is 1 to 16 printable ASCII characters without "\\"');
  if (typeof input.host !== 'string' || input.host.trim() === '' || /\s/.test(input.host.trim())) {
    throw invalid('host', 'a host name or IP address');
  }
  if (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535) {
    throw invalid('port', 'an integer from 1 to 65535');
  }
  if (input.tls !== undefined && typeof input.tls !== 'boolean') throw invalid('tls', 'true or false');
  return { name, aet, host: input.host.trim(), port: input.port, tls: input.tls ?? false, source };
}
