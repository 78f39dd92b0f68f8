import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A self-signed certificate for 127.0.0.1/localhost and its key, made with openssl, in `dir`. */
export async function selfSigned(
  dir: string,
  name: string,
  subject: string,
): Promise<{ key: string; cert: string }> {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.crt`);
  await run('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', subject, '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]); // prettier-ignore
  return { key, cert };
}
