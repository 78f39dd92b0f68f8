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
import {
  documentKindOf,
  DOCUMENT_MEDIA_TYPES,
  renderDocument,
  type DocumentKind,
} from './rendered-documents.js';
import { chooseRendered, FORMATS, type ImageFormat, type RenderedChoice } from './rendered-negotiation.js';
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

const IMAGE_TYPES = 'rendered images are available as image/jpeg, image/png or image/gif';

/** What each kind of object is rendered as: the Accept header (or the `accept` query parameter in its place, PS3.18 §8.3.3.1). */
function chooseOutput(request: RenderRequest, thumbnail: boolean): RenderedChoice {
  const choice = chooseRendered(parseAccept(request.headers.accept));
  // A thumbnail is an image of an image (PS3.18 §10.4.1.3): documents have none.
  if (thumbnail) return { ...(choice.image !== undefined ? { image: choice.image } : {}), documents: {} };
  return choice;
}

/** Parses `window`, `viewport` and `quality` (PS3.18 §8.3.5.1). */
function renderParameters(request: RenderRequest, thumbnail: boolean, format: ImageFormat): RenderParameters {
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
      // A negative extent mirrors the image along that axis (PS3.18 §8.3.5.1.3).
      if (v[4]! < 0 || v[5]! < 0) viewport.flip = { horizontal: v[4]! < 0, vertical: v[5]! < 0 };
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

/** An instance's renderable pixel data: a video's stream is indexed as one part, but no frame of it renders. */
function isImage(instance: StoredInstance): boolean {
  return instance.frameIndex !== null && !isVideoTransferSyntax(instance.transferSyntaxUid);
}

const KIND_NAMES: Record<DocumentKind, string> = {
  report: 'a Structured Report',
  pdf: 'an encapsulated PDF',
  cda: 'an encapsulated CDA document',
};

/** How an instance is rendered, given what the request accepts: an image format, a document type, or not. */
type Rendering = { image: ImageFormat } | { kind: DocumentKind; mediaType: string } | undefined;

function renderingOf(instance: StoredInstance, choice: RenderedChoice): Rendering {
  if (isImage(instance)) return choice.image === undefined ? undefined : { image: choice.image };
  const kind = documentKindOf(instance);
  const mediaType = kind === undefined ? undefined : choice.documents[kind];
  return kind === undefined || mediaType === undefined ? undefined : { kind, mediaType };
}

/** Why an instance of this kind cannot be rendered as asked (406), naming what it renders as. */
function notAcceptable(instance: StoredInstance): AppError {
  const kind = documentKindOf(instance);
  return new AppError(
    ErrorCode.NotAcceptable,
    kind === undefined
      ? IMAGE_TYPES
      : `${KIND_NAMES[kind]} is rendered as ${DOCUMENT_MEDIA_TYPES[kind].join(' or ')}`,
  );
}

/**
 * Answers a rendered or thumbnail request: images rendered, Structured Reports as HTML or text, PDF and
 * CDA documents as they are held (PS3.18 §8.7.4). The instances are read in the actor's access scope and
 * audited as transferred only once the answer is decided, before its first byte: nothing renderable, a
 * frame beyond the last or an image that cannot be rendered (404, 406) records nothing.
 */
async function respond(
  deps: WadoDeps,
  request: RenderRequest,
  reply: FastifyReply,
  actor: Actor,
  thumbnail: boolean,
): Promise<FastifyReply> {
  const choice = chooseOutput(request, thumbnail);
  if (choice.image === undefined && Object.keys(choice.documents).length === 0) {
    throw new AppError(
      ErrorCode.NotAcceptable,
      thumbnail
        ? IMAGE_TYPES
        : `${IMAGE_TYPES}; Structured Reports as text/html or text/plain; encapsulated PDF as application/pdf and CDA as text/xml`,
    );
  }
  const options = renderParameters(request, thumbnail, choice.image ?? 'jpeg');
  const selector = {
    studyUid: request.params.study,
    seriesUid: request.params.series,
    sopInstanceUid: request.params.instance,
  };
  let pending = await deps.archive.prepareInstances(selector, actor, 'pixels');
  // A report's header names the patient: read again with the study's current values (ADT update,
  // merge), as a retrieve of the object would give them.
  const rendersDocuments = pending.instances.some((i) => {
    const rendering = renderingOf(i, choice);
    return rendering !== undefined && 'kind' in rendering;
  });
  if (rendersDocuments) pending = await deps.archive.prepareInstances(selector, actor, 'send');
  const renderable = pending.instances.filter((i) => isImage(i) || (!thumbnail && documentKindOf(i)));
  if (renderable.length === 0) {
    throw new AppError(
      ErrorCode.NotFound,
      thumbnail ? 'nothing with pixel data to render' : 'nothing to render: no image, report or document',
    );
  }
  const frames = request.params.frames?.split(',').map((f) => Number(f.trim()) - 1) ?? [0];
  if (frames.some((f) => !Number.isInteger(f) || f < 0)) throw invalid('frames', 'frame numbers start at 1');
  // A thumbnail (PS3.18 §10.4.1.1.4 / §10.4.1.3) shows one representative image: the middle one.
  const single = thumbnail || request.params.instance !== undefined;
  if (single) {
    const chosen =
      thumbnail && request.params.instance === undefined
        ? renderable[Math.floor(renderable.length / 2)]!
        : renderable[0]!;
    const rendering = renderingOf(chosen, choice);
    if (rendering === undefined) throw notAcceptable(chosen);
    if ('kind' in rendering) {
      if (request.params.frames !== undefined)
        throw new AppError(ErrorCode.NotFound, `${KIND_NAMES[rendering.kind]} has no frames`);
      const document = await renderDocument(deps.archive, chosen, rendering.kind, rendering.mediaType);
      pending.recordTransfer([chosen]);
      if (document.securityPolicy !== undefined)
        reply.header('content-security-policy', document.securityPolicy);
      return reply.type(document.type).send(document.body);
    }
    const frameCount = chosen.frameIndex!.frames.length;
    const frameList =
      thumbnail && request.params.frames === undefined ? [Math.floor(frameCount / 2)] : frames;
    if (frameList.some((f) => f >= frameCount))
      throw new AppError(ErrorCode.NotFound, `the instance has ${frameCount} frames`);
    if (frameList.length === 1) {
      const image = await renderInstanceFrame(deps, chosen, frameList[0]!, options);
      pending.recordTransfer([chosen]);
      return reply.type(FORMATS[rendering.image]).send(image);
    }
  }
  // Only the instances that render as asked and have a wanted frame go out (and are audited); a
  // document is one part.
  const sent = renderable.filter((i) => {
    const rendering = renderingOf(i, choice);
    if (rendering === undefined) return false;
    return 'kind' in rendering || frames.some((f) => f < i.frameIndex!.frames.length);
  });
  if (sent.length === 0) {
    throw new AppError(ErrorCode.NotAcceptable, 'nothing here can be rendered as the Accept header asks');
  }
  const typeOf = (rendering: NonNullable<Rendering>) =>
    'kind' in rendering ? rendering.mediaType : FORMATS[rendering.image];
  async function* parts(): AsyncGenerator<MultipartWritePart> {
    for (const instance of sent) {
      const rendering = renderingOf(instance, choice)!;
      if ('kind' in rendering) {
        const document = await renderDocument(deps.archive, instance, rendering.kind, rendering.mediaType);
        yield { contentType: document.type, body: document.body };
        continue;
      }
      const frameCount = instance.frameIndex!.frames.length;
      for (const f of frames) {
        if (f < frameCount) {
          const body = await renderInstanceFrame(deps, instance, f, options);
          yield { contentType: FORMATS[rendering.image], body };
        }
      }
    }
  }
  // Parts are rendered as the body streams: one that fails (406, unreadable palette) after others went
  // out cuts it short, and those were sent, so every instance is recorded with the first part. The
  // body's type is its first part's (RFC 2387 §3.1); parts of other kinds say their own.
  const boundary = createBoundary();
  const recorded = recordedOnFirstPart(parts(), () => pending.recordTransfer(sent));
  return reply
    .type(`multipart/related; type="${typeOf(renderingOf(sent[0]!, choice)!)}"; boundary=${boundary}`)
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
