import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { generateUid, Tag, TransferSyntaxUid } from '@lightbox/dicom';
import { syntheticImage, textElement } from '@lightbox/dicom/test-support';
import { encapsulatedPixelData } from '../../server/src/dicomweb/stow-pixel-data.js';
import { splitMultipart, stowObjects } from '../../server/src/test-support/dicomweb-client.js';
import { startTestLightbox } from '../../server/src/test-support/test-lightbox.js';
import { screenshot, startTestBrowser } from './test-browser.js';
import { signIn, stopViewerSession, type ViewerSession } from './viewer-session.js';

const VIDEO_ENDOSCOPIC = '1.2.840.10008.5.1.4.1.1.77.1.1.1';
const WIDTH = 64;
const HEIGHT = 48;

/**
 * A real H.264 clip in an MP4 file: Chromium records a canvas filled with one colour with MediaRecorder,
 * which writes MP4 with H.264 (Chromium 126 and later), so that the test needs no encoder of its own.
 */
async function recordClip(page: Page, colour: string): Promise<Uint8Array> {
  const bytes = await page.evaluate(
    async ({ colour, width, height }) => {
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      const context = canvas.getContext('2d')!;
      const recorder = new MediaRecorder(canvas.captureStream(25), { mimeType: 'video/mp4;codecs=avc1' });
      const chunks: Blob[] = [];
      recorder.ondataavailable = (event) => chunks.push(event.data);
      const stopped = new Promise((resolve) => (recorder.onstop = resolve));
      recorder.start();
      let tick = 0;
      const drawing = setInterval(() => {
        context.fillStyle = colour;
        context.fillRect(0, 0, width, height);
        context.fillStyle = tick++ % 2 === 0 ? '#fff' : '#000'; // a changing corner: frames keep coming
        context.fillRect(0, 0, 4, 4);
      }, 40);
      await new Promise((resolve) => setTimeout(resolve, 1200));
      recorder.stop();
      await stopped;
      clearInterval(drawing);
      return [...new Uint8Array(await new Blob(chunks).arrayBuffer())];
    },
    { colour, width: WIDTH, height: HEIGHT },
  );
  return new Uint8Array(bytes);
}

function videoObject(
  study: string,
  series: string,
  sop: string,
  stream: Uint8Array,
  syntax: string,
  seriesNumber: number,
  instanceNumber: number,
): Uint8Array {
  return syntheticImage({
    studyInstanceUid: study,
    seriesInstanceUid: series,
    sopInstanceUid: sop,
    sopClassUid: VIDEO_ENDOSCOPIC,
    modality: 'ES',
    patientId: 'VIDEO1',
    patientName: 'Video^Endoscopy',
    transferSyntaxUid: syntax,
    rows: HEIGHT,
    columns: WIDTH,
    samplesPerPixel: 3,
    bitsAllocated: 8,
    photometricInterpretation: 'YBR_PARTIAL_420',
    multiFrame: true,
    extra: [
      encapsulatedPixelData([stream]),
      textElement(Tag.NumberOfFrames, 'IS', '30'),
      textElement(Tag.SeriesNumber, 'IS', String(seriesNumber)),
      textElement(Tag.InstanceNumber, 'IS', String(instanceNumber)),
      textElement(Tag.SeriesDescription, 'LO', seriesNumber === 1 ? 'Colonoscopy' : 'Old recorder'),
    ],
  });
}

/** Not a real MPEG-2 video: a program stream's pack header and bytes the viewer never decodes. */
function mpeg2ProgramStream(): Uint8Array {
  const bytes = new Uint8Array(4096);
  bytes.set([0, 0, 1, 0xba, 0x44]);
  for (let i = 5; i < bytes.length; i++) bytes[i] = (i * 13) & 0xff;
  return bytes;
}

/** What the viewport's player holds: its decoded size, duration, and the size of its source. */
async function player(page: Page) {
  return page.evaluate(async () => {
    const video = document.querySelector<HTMLVideoElement>('[data-viewport-id="viewport-0"] video')!;
    if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA)
      await new Promise((resolve, reject) => {
        video.addEventListener('loadeddata', resolve, { once: true });
        video.addEventListener('error', () => reject(new Error(video.error?.message)), { once: true });
      });
    // The page's policy lets it fetch no blob: URL; the viewport says how many bytes it plays.
    const bytes = Number(video.dataset.streamBytes);
    return { width: video.videoWidth, height: video.videoHeight, duration: video.duration, bytes };
  });
}

/** The colour of the middle of the frame the player shows once playing (red, green, blue). */
async function playedColour(page: Page): Promise<number[]> {
  return page.evaluate(async () => {
    const video = document.querySelector<HTMLVideoElement>('[data-viewport-id="viewport-0"] video')!;
    video.muted = true;
    await video.play();
    await new Promise((resolve) => video.requestVideoFrameCallback(resolve));
    video.pause();
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    context.drawImage(video, 0, 0);
    return [...context.getImageData(canvas.width / 2, canvas.height / 2, 1, 1).data].slice(0, 3);
  });
}

/** Clicks Download in viewport 0 and gives the file's name and bytes. */
async function download(page: Page, dataDir: string): Promise<{ name: string; bytes: Buffer }> {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('[data-viewport-id="viewport-0"]').getByRole('button', { name: 'Download' }).click(),
  ]);
  const saved = path.join(dataDir, file.suggestedFilename());
  await file.saveAs(saved);
  return { name: file.suggestedFilename(), bytes: await readFile(saved) };
}

describe('video objects in the viewer (issue #5)', () => {
  const session: Partial<ViewerSession> = {};
  const study = generateUid();
  const h264Series = generateUid();
  const mpeg2Series = generateUid();
  const [red, blue, old] = [generateUid(), generateUid(), generateUid()];
  /** The streams as the archive answers them (a fragment is padded to even length when stored). */
  const stored = new Map<string, Buffer>();

  beforeAll(async () => {
    const browser = await startTestBrowser();
    session.browser = browser;
    const recording = await browser.newPage();
    const redClip = await recordClip(recording, 'rgb(220, 30, 30)');
    const blueClip = await recordClip(recording, 'rgb(30, 30, 220)');
    await recording.close();
    const lightbox = await startTestLightbox('sqlite');
    session.lightbox = lightbox;
    const mp4 = TransferSyntaxUid.MPEG4HP41;
    expect(
      await stowObjects(lightbox, [
        videoObject(study, h264Series, red, redClip, mp4, 1, 1),
        videoObject(study, h264Series, blue, blueClip, mp4, 1, 2),
        videoObject(study, mpeg2Series, old, mpeg2ProgramStream(), TransferSyntaxUid.MPEG2MPML, 2, 1),
      ]),
    ).toBe(200);
    for (const [series, sop, type] of [
      [h264Series, red, 'video/mp4'],
      [h264Series, blue, 'video/mp4'],
      [mpeg2Series, old, 'video/mpeg'],
    ] as const) {
      const response = await fetch(
        `${lightbox.dicomweb}/studies/${study}/series/${series}/instances/${sop}/frames/1`,
        { headers: { authorization: lightbox.authorization, accept: `multipart/related; type="${type}"` } },
      );
      const [part] = splitMultipart(
        Buffer.from(await response.arrayBuffer()),
        response.headers.get('content-type')!,
      );
      stored.set(sop, part!.body);
    }
  }, 90_000);
  afterAll(async () => {
    await stopViewerSession(session);
  });

  it('plays an H.264 series in the viewport, one video after another, and downloads what it holds', async () => {
    const { lightbox, browser } = session as ViewerSession;
    const page = await browser.newPage();
    await signIn(page, lightbox.baseUrl, `/viewer?StudyInstanceUIDs=${study}`);
    const viewport = page.locator('[data-viewport-id="viewport-0"]');
    await viewport.locator('video').waitFor({ timeout: 20_000 });
    await expect.poll(() => viewport.locator('.video-index').textContent()).toBe('Video 1/2');
    expect(await page.getByText('holds no images').count()).toBe(0);
    // The archive renders no thumbnail of a video: the series panel shows its modality, not a broken image.
    await expect.poll(() => page.locator('.series-panel .document-icon').allTextContents()).toContain('ES');
    expect(await page.locator('.series-panel img').count()).toBe(0);
    // No image to save as PNG or JPEG: the player is not the viewport's image.
    expect(await page.getByRole('button', { name: 'PNG' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'JPEG' }).isDisabled()).toBe(true);
    expect(await viewport.locator('.top-left').textContent()).toContain('VIDEO1');
    expect(await viewport.locator('.top-right').textContent()).toContain('Colonoscopy');

    // The player decodes the stream: its size and length, and the colour recorded.
    const first = await player(page);
    expect(first.bytes).toBe(stored.get(red)!.length);
    expect([first.width, first.height]).toEqual([WIDTH, HEIGHT]);
    expect(first.duration).toBeGreaterThan(0.5);
    const [r, g, b] = await playedColour(page);
    expect(r, `red played as ${r},${g},${b}`).toBeGreaterThan(150);
    expect(Math.max(g!, b!)).toBeLessThan(100);
    await screenshot(page, 'viewer-video-h264');

    const saved = await download(page, lightbox.dataDir);
    expect(saved.name).toBe(`video-${red}.mp4`);
    expect(saved.bytes.equals(stored.get(red)!)).toBe(true);

    // The next video of the series replaces it.
    await viewport.getByRole('button', { name: 'Next video' }).click();
    await expect.poll(() => viewport.locator('.video-index').textContent()).toBe('Video 2/2');
    await expect
      .poll(async () => (await player(page)).bytes, { timeout: 15_000 })
      .toBe(stored.get(blue)!.length);
    const [r2, , b2] = await playedColour(page);
    expect(b2).toBeGreaterThan(150);
    expect(r2).toBeLessThan(100);
    expect(await viewport.getByRole('button', { name: 'Next video' }).isDisabled()).toBe(true);
  });

  it('says an MPEG-2 video cannot be played, and downloads its stream as stored', async () => {
    const { lightbox, browser } = session as ViewerSession;
    const page = await browser.newPage();
    await signIn(page, lightbox.baseUrl, `/viewer?StudyInstanceUIDs=${study}`);
    const viewport = page.locator('[data-viewport-id="viewport-0"]');
    await viewport.locator('video').waitFor({ timeout: 20_000 });
    // Dragged from the series panel, as a radiologist hangs another series.
    await page.locator(`[data-series-uid="${mpeg2Series}"]`).dragTo(viewport);
    await viewport.getByText('MPEG-2 video cannot be played in the browser; download it.').waitFor();
    expect(await viewport.locator('video').count()).toBe(0);
    expect(await viewport.locator('.top-right').textContent()).toContain('Old recorder');
    await screenshot(page, 'viewer-video-mpeg2');
    const saved = await download(page, lightbox.dataDir);
    expect(saved.name).toBe(`video-${old}.mpg`);
    expect(saved.bytes.equals(stored.get(old)!)).toBe(true);
  });
});
