import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TEST_AE_TITLE, type TestLightbox } from './test-lightbox.js';

const run = promisify(execFile);

/**
 * DCMTK's movescu (Study Root, verbose) asking a test Lightbox to move to `destination`, with `-k` keys
 * and any further options; its log (stderr), whatever the outcome, for the test to read the statuses.
 */
export function movescu(
  lb: TestLightbox,
  destination: string,
  keys: readonly string[],
  options: readonly string[] = [],
): Promise<string> {
  const args = ['-v', '-S', ...options, '-aec', TEST_AE_TITLE, '-aem', destination];
  for (const key of keys) args.push('-k', key);
  return run('movescu', [...args, '127.0.0.1', String(lb.dicomPort)], {
    // Debian's DCMTK waits ~45 ms per message for delayed ACKs without it.
    env: { ...process.env, TCP_NODELAY: '1' },
  }).then(
    ({ stderr }) => stderr,
    (error: { stderr: string }) => error.stderr,
  );
}
