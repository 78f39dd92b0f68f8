/**
 * The parts of a multipart answer, with the transfer recorded as the first part is ready: before any of
 * its bytes go out, so a body cut short later stays recorded, and not at all when the first part fails
 * (the answer is then an error status with nothing of the instances in it).
 */
export async function* recordedOnFirstPart<T>(
  parts: AsyncIterable<T>,
  record: () => void,
): AsyncGenerator<T> {
  let recorded = false;
  for await (const part of parts) {
    if (!recorded) {
      record();
      recorded = true;
    }
    yield part;
  }
}
