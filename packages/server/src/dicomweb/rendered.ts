import { isVideoTransferSyntax, readPart10, Tag, TransferSyntaxUid } from '@lightbox/dicom';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StoredInstance } from '../archive/index-store.js';
import { paletteOf, type Palette } from '../imaging/palette-color.js';
import { voiLutOf, type VoiLut } from '../imaging/voi-lut.js';
import { readFrame } from '../imaging/read-frame.js';
import { renderFrame, type RenderOptions, type VoiWindow } from '../imaging/render-frame.js';
import type { Actor } from '../security/actor.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { parseAccept } from './media-type/index.js';
import { createBoundary, writeMultipart, type MultipartWritePart } from './multipart/index.js';
import { Readable } from 'node:stream';
import type { WadoDeps, WadoParams } from './wado-rs.js';
import { closableUnread } from '../http/closable-unread.js';
import { recordedOnFirstPart } from './recorded-on-first-part.js';

type RenderRequest = FastifyRequest<{
  Params: WadoParams;
  Querystring: Record<string, string | string[] | undefined>;
}>;

/** The largest rendered image side: larger requests would let one client allocate gigabytes. */
export const MAX_VIEWPORT = 4096;

/** Output media types by format. */
export const FORMATS = { jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif' } as const;

/** Rendering choices of a request: what {@link RenderOptions} holds besides what the object says. */
export type RenderParameters = Omit<RenderOptions, 'rescaleSlope' | 'rescaleIntercept' | 'storedWindow'>;

function param(request: RenderRequest, name: string): string | undefined {
  const value = request.query[name];
  return Array.isArray(value) ? value[0] : value;
}

function invalid(name: string, detail: string): AppError {
  return new AppError(ErrorCode.InvalidParameter, `${name}: ${detail}`, name);
}

function numbers(text: string, name: string, count: number[]): number[] {
  const values = text.split(',').map((v) => Number(v.trim()));
  if (!count.includes(values.length) || values.some((v) => !Number.isFinite(v))) {
    throw invalid(name, `"${text}" must be ${count.join(' or ')} comma-separated numbers`);
  }
  return values;
}

/** The output format: the `accept` query parameter or the Accept header (PS3.18 §8.3.3.1); JPEG by default. */
function chooseFormat(request: RenderRequest): keyof typeof FORMATS {
  const accept = param(request, 'accept') ?? request.headers.accept;
  for (const entry of parseAccept(accept)) {
    const type =
      entry.type === 'multipart' ? (entry.params.get('type') ?? '*/*') : `${entry.type}/${entry.subtype}`;
    if (type === '*/*' || type === 'image/*' || type === 'image/jpeg') return 'jpeg';
    if (type === 'image/png') return 'png';
    if (type === 'image/gif') return 'gif';
  }
  throw new AppError(
    ErrorCode.NotAcceptable,
    'rendered images are available as image/jpeg, image/png or image/gif',
  );
}

/** Parses `window`, `viewport` and `quality` (PS3.18 §8.3.5.1). */
function renderParameters(request: RenderRequest, thumbnail: boolean): RenderParameters {
  const format = chooseFormat(request);
  const windowText = param(request, 'window');
  let window: VoiWindow | undefined;
  if (windowText !== undefined) {
    const [center, width, fn] = windowText.split(',').map((v) => v.trim());
    if (!Number.isFinite(Number(center)) || !(Number(width) > 0))
      throw invalid('window', `"${windowText}" must be center,width[,function]`);
    const functionName = (fn ?? 'LINEAR').toUpperCase();
    if (!['LINEAR', 'LINEAR_EXACT', 'SIGMOID'].includes(functionName))
      throw invalid('window', `unknown function ${fn}`);
    window = { center: Number(center), width: Number(width), function: functionName };
  }
  const viewportText = param(request, 'viewport');
  let viewport: RenderOptions['viewport'] = thumbnail ? { width: 128, height: 128 } : undefined;
  if (viewportText !== undefined) {
    const v = numbers(viewportText, 'viewport', [2, 6]);
    if (v[0]! <= 0 || v[1]! <= 0 || v[0]! > MAX_VIEWPORT || v[1]! > MAX_VIEWPORT) {
      throw invalid('viewport', `width and height must be from 1 to ${MAX_VIEWPORT}`);
    }
    viewport = { width: Math.round(v[0]!), height: Math.round(v[1]!) };
    if (v.length === 6) {
      viewport.region = {
        x: Math.round(v[2]!),
        y: Math.round(v[3]!),
        width: Math.round(Math.abs(v[4]!)),
        height: Math.round(Math.abs(v[5]!)),
      };
    }
  }
  const qualityText = param(request, 'quality');
  const quality = qualityText === undefined ? 90 : Number(qualityText);
  if (!Number.isInteger(quality) || quality < 1 || quality > 100)
    throw invalid('quality', 'must be an integer from 1 to 100');
  return { window, viewport, format, quality };
}

/** Header bytes read whole for a palette or a VOI LUT: tables of up to 65 536 16-bit entries, and more. */
const PALETTE_HEADER_LIMIT = 512 * 1024;

/** The lookup tables of an object's header, as rendering uses them. */
interface LookupTables {
  /** Throws (406) when the palette cannot be read. */
  palette(): Palette;
  voiLut: VoiLut | undefined;
}

/** Tables read lately, by object (a viewer renders the frames of one object one after the other). */
const recentTables = new Map<string, LookupTables>();
const RECENT_TABLES = 64;

/**
 * The palette and VOI LUT of an object, from its header (tables of up to tens of kilobytes: read whole,
 * up to Pixel Data, the stream then closed).
 */
async function lookupTablesOf(deps: WadoDeps, instance: StoredInstance): Promise<LookupTables> {
  const known = recentTables.get(instance.blobKey);
  if (known !== undefined) return known;
  const stream = await deps.archive.openObject(instance);
  let header;
  try {
    header = (await readPart10(stream, { stopAtTag: Tag.PixelData, bulkDataThreshold: PALETTE_HEADER_LIMIT }))
      .dataSet;
  } finally {
    stream.destroy(); // reading stopped at Pixel Data: the rest is never read
  }
  const pixel = instance.frameIndex!.pixel;
  const signed = pixel.pixelRepresentation === 1;
  let palette: Palette | AppError;
  try {
    palette = paletteOf(header, signed);
  } catch (error) {
    palette =
      error instanceof AppError ? error : new AppError(ErrorCode.NotAcceptable, 'PALETTE COLOR: unreadable');
  }
  const tables: LookupTables = {
    palette: () => {
      if (palette instanceof AppError) throw palette;
      return palette;
    },
    voiLut: voiLutOf(header, signed || pixel.rescaleIntercept < 0),
  };
  if (recentTables.size >= RECENT_TABLES) recentTables.delete(recentTables.keys().next().value!);
  recentTables.set(instance.blobKey, tables);
  return tables;
}

/** Renders frame `frame` (from 0) of a stored instance with its stored window and rescale. */
export async function renderInstanceFrame(
  deps: WadoDeps,
  instance: StoredInstance,
  frame: number,
  options: RenderParameters,
): Promise<Buffer> {
  const index = instance.frameIndex;
  if (index === null)
    throw new AppError(
      ErrorCode.NotAcceptable,
      `instance ${instance.sopInstanceUid} has no renderable pixel data`,
    );
  if (frame < 0 || frame >= index.frames.length) {
    throw new AppError(
      ErrorCode.NotFound,
      `frame ${frame + 1} does not exist; the instance has ${index.frames.length}`,
    );
  }
  const { pixels, photometricInterpretation } = await readFrame(
    deps.archive,
    instance,
    frame,
    TransferSyntaxUid.ExplicitVRLittleEndian,
  );
  // Decoded colour frames come back interleaved (PlanarConfiguration 0), possibly converted to RGB.
  const pixel = index.encapsulated
    ? { ...index.pixel, photometricInterpretation, planarConfiguration: 0 }
    : index.pixel;
  const isPalette = pixel.photometricInterpretation === 'PALETTE COLOR';
  const usesVoiLut =
    index.pixel.voiLut === true &&
    pixel.samplesPerPixel === 1 &&
    !isPalette &&
    options.window === undefined &&
    index.pixel.window === undefined;
  const tables = isPalette || usesVoiLut ? await lookupTablesOf(deps, instance) : undefined;
  const palette = isPalette ? tables!.palette() : undefined;
  const voiLut = usesVoiLut ? tables!.voiLut : undefined;
  return renderFrame(pixels, pixel, {
    ...options,
    ...(palette !== undefined ? { palette } : {}),
    ...(voiLut !== undefined ? { voiLut } : {}),
    storedWindow: index.pixel.window,
    rescaleSlope: index.pixel.rescaleSlope,
    rescaleIntercept: index.pixel.rescaleIntercept,
  });
}

/**
 * Answers a rendered or thumbnail request. The instances are read in the actor's access scope and
 * audited as transferred only once the answer is decided, before its first byte: nothing with pixel
 * data, a frame beyond the last or an image that cannot be rendered (404, 406) records nothing.
 */
async function respond(
  deps: WadoDeps,
  request: RenderRequest,
  reply: FastifyReply,
  actor: Actor,
  thumbnail: boolean,
): Promise<FastifyReply> {
  const options = renderParameters(request, thumbnail);
  const selector = {
    studyUid: request.params.study,
    seriesUid: request.params.series,
    sopInstanceUid: request.params.instance,
  };
  const pending = await deps.archive.prepareInstances(selector, actor, 'pixels');
  // A video's stream is indexed as one part, but no frame of it can be rendered here.
  const renderable = pending.instances.filter(
    (i) => i.frameIndex !== null && !isVideoTransferSyntax(i.transferSyntaxUid),
  );
  if (renderable.length === 0) throw new AppError(ErrorCode.NotFound, 'nothing with pixel data to render');
  const mediaType = FORMATS[options.format];
  const frames = request.params.frames?.split(',').map((f) => Number(f.trim()) - 1) ?? [0];
  if (frames.some((f) => !Number.isInteger(f) || f < 0)) throw invalid('frames', 'frame numbers start at 1');
  // A thumbnail (PS3.18 §10.4.1.1.4 / §10.4.1.3) shows one representative image: the middle one.
  const single = thumbnail || request.params.instance !== undefined;
  if (single) {
    const chosen =
      thumbnail && request.params.instance === undefined
        ? renderable[Math.floor(renderable.length / 2)]!
        : renderable[0]!;
    const frameCount = chosen.frameIndex!.frames.length;
    const frameList =
      thumbnail && request.params.frames === undefined ? [Math.floor(frameCount / 2)] : frames;
    if (frameList.some((f) => f >= frameCount))
      throw new AppError(ErrorCode.NotFound, `the instance has ${frameCount} frames`);
    if (frameList.length === 1) {
      const image = await renderInstanceFrame(deps, chosen, frameList[0]!, options);
      pending.recordTransfer([chosen]);
      return reply.type(mediaType).send(image);
    }
  }
  // Only the instances that have a wanted frame go out (and are audited).
  const sent = renderable.filter((i) => frames.some((f) => f < i.frameIndex!.frames.length));
  async function* parts(): AsyncGenerator<MultipartWritePart> {
    for (const instance of sent) {
      const frameCount = instance.frameIndex!.frames.length;
      for (const f of frames) {
        if (f < frameCount)
          yield { contentType: mediaType, body: await renderInstanceFrame(deps, instance, f, options) };
      }
    }
  }
  // Images are rendered as the body streams: one that fails (406, unreadable palette) after others
  // went out cuts it short, and those were sent, so every instance is recorded with the first part.
  const boundary = createBoundary();
  const recorded = recordedOnFirstPart(parts(), () => pending.recordTransfer(sent));
  return reply
    .type(`multipart/related; type="${mediaType}"; boundary=${boundary}`)
    .send(closableUnread(Readable.from(writeMultipart(recorded, boundary))));
}

/** Rendered resources (PS3.18 §10.4.1.1.4): a study, series, instance or frames as consumer images. */
export function handleRendered(
  deps: WadoDeps,
  request: RenderRequest,
  reply: FastifyReply,
  actor: Actor,
): Promise<FastifyReply> {
  return respond(deps, request, reply, actor, false);
}

/** Thumbnails (PS3.18 §10.4.1.3): one small representative image of a study, series, instance or frame. */
export function handleThumbnail(
  deps: WadoDeps,
  request: RenderRequest,
  reply: FastifyReply,
  actor: Actor,
): Promise<FastifyReply> {
  return respond(deps, request, reply, actor, true);
}
