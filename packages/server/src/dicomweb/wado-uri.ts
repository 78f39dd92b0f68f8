import type { Readable } from 'node:stream';
import { isVideoTransferSyntax, lookupTransferSyntax, TransferSyntaxUid } from '@lightbox/dicom';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StoredInstance } from '../archive/index-store.js';
import { canServeAs, transcodeInstance } from '../imaging/transcode-instance.js';
import type { Actor } from '../security/actor.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { parseAccept } from './media-type/index.js';
import { MAX_VIEWPORT, renderInstanceFrame, type RenderParameters } from './rendered.js';
import { documentKindOf, DOCUMENT_MEDIA_TYPES, renderDocument } from './rendered-documents.js';
import { firstCovered, FORMATS, type ImageFormat } from './rendered-negotiation.js';
import { instanceBody, type WadoDeps } from './wado-rs.js';

type Query = Record<string, string | string[] | undefined>;

function single(query: Query, name: string): string | undefined {
  const v = query[name];
  return Array.isArray(v) ? v[0] : v;
}

function required(query: Query, name: string): string {
  const v = single(query, name);
  if (v === undefined || v === '')
    throw new AppError(ErrorCode.InvalidParameter, `${name} is required`, name);
  return v;
}

function number(query: Query, name: string): number | undefined {
  const v = single(query, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n))
    throw new AppError(ErrorCode.InvalidParameter, `${name}: "${v}" is not a number`, name);
  return n;
}

function positive(query: Query, name: string): number | undefined {
  const v = single(query, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new AppError(ErrorCode.InvalidParameter, `${name}: "${v}" must be a positive integer`, name);
  return n;
}

/** An answer made and not yet sent. */
interface Answer {
  type: string;
  body: Readable | Buffer;
}

/**
 * Parameters that shape a rendered image; PS3.18 §9 (§8.2 of its 2019 text) forbids them with
 * `application/dicom`, where they would be silently meaningless. `imageQuality` is allowed there with a
 * lossy `transferSyntax`.
 */
const IMAGE_PARAMETERS = [
  'annotation',
  'rows',
  'columns',
  'region',
  'windowCenter',
  'windowWidth',
  'frameNumber',
  'imageQuality',
  'presentationUID',
  'presentationSeriesUID',
] as const;

/** The first image parameter of the request that `application/dicom` does not take, if any. */
function imageParameterOf(query: Query): string | undefined {
  const syntax = single(query, 'transferSyntax');
  const lossy = syntax !== undefined && lookupTransferSyntax(syntax)?.lossy === true;
  return IMAGE_PARAMETERS.find(
    (name) => single(query, name) !== undefined && !(name === 'imageQuality' && lossy),
  );
}

/** `region=x1,y1,x2,y2` (PS3.18 §9, fractions of the image from its top left) as a pixel region. */
function regionOf(query: Query, columns: number, rows: number): RenderParameters['viewport'] {
  const text = single(query, 'region');
  if (text === undefined) return undefined;
  const v = text.split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));
  const [x1, y1, x2, y2] = v as [number, number, number, number];
  if (v.length !== 4 || v.some((n) => !Number.isFinite(n) || n < 0 || n > 1) || x1 >= x2 || y1 >= y2) {
    throw new AppError(
      ErrorCode.InvalidParameter,
      `region: "${text}" must be x1,y1,x2,y2, fractions from 0.0 to 1.0 with x1 < x2 and y1 < y2`,
      'region',
    );
  }
  const x = Math.min(Math.floor(x1 * columns), columns - 1);
  const y = Math.min(Math.floor(y1 * rows), rows - 1);
  return {
    region: {
      x,
      y,
      width: Math.max(1, Math.min(Math.round(x2 * columns), columns) - x),
      height: Math.max(1, Math.min(Math.round(y2 * rows), rows) - y),
    },
  };
}

/** The rendering parameters of a WADO-URI request (PS3.18 §9.1.2.1); 400 when one is malformed. */
function renderParametersOf(query: Query, format: ImageFormat, instance: StoredInstance): RenderParameters {
  const center = number(query, 'windowCenter');
  const width = number(query, 'windowWidth');
  if ((center === undefined) !== (width === undefined)) {
    throw new AppError(ErrorCode.InvalidParameter, 'windowCenter and windowWidth go together', 'windowWidth');
  }
  if (width !== undefined && width <= 0) {
    throw new AppError(ErrorCode.InvalidParameter, 'windowWidth must be positive', 'windowWidth');
  }
  const rows = positive(query, 'rows');
  const columns = positive(query, 'columns');
  if ((rows ?? 0) > MAX_VIEWPORT || (columns ?? 0) > MAX_VIEWPORT) {
    throw new AppError(
      ErrorCode.InvalidParameter,
      `rows and columns must be at most ${MAX_VIEWPORT}`,
      'rows',
    );
  }
  const quality = positive(query, 'imageQuality') ?? 90;
  if (quality > 100) {
    throw new AppError(
      ErrorCode.InvalidParameter,
      'imageQuality must be an integer from 1 to 100',
      'imageQuality',
    );
  }
  const pixel = instance.frameIndex!.pixel;
  const region = regionOf(query, pixel.columns, pixel.rows);
  const size = rows !== undefined || columns !== undefined ? { width: columns, height: rows } : undefined;
  const viewport = region === undefined && size === undefined ? undefined : { ...region, ...size };
  return {
    format,
    quality,
    window: center !== undefined && width !== undefined ? { center, width, function: 'LINEAR' } : undefined,
    viewport,
  };
}

/**
 * What an object can be answered as, in the order PS3.18 §9 makes the default (the first) for its kind:
 * a single-frame image (or one frame of a multi-frame one, by `frameNumber`) a JPEG, a multi-frame image
 * (or a video) the object, a Structured Report HTML, an encapsulated PDF or CDA its document, anything
 * else the object.
 */
function candidatesOf(instance: StoredInstance, query: Query): readonly string[] {
  const images = Object.values(FORMATS);
  if (instance.frameIndex !== null && !isVideoTransferSyntax(instance.transferSyntaxUid)) {
    return instance.frameIndex.frames.length > 1 && single(query, 'frameNumber') === undefined
      ? ['application/dicom', ...images]
      : [...images, 'application/dicom'];
  }
  const kind = documentKindOf(instance);
  return kind === undefined ? ['application/dicom'] : [...DOCUMENT_MEDIA_TYPES[kind], 'application/dicom'];
}

/**
 * The instance as one content type: the object (`application/dicom`, in `transferSyntax`), a rendered
 * frame or a document; undefined when this type cannot be produced, so that the next one is tried.
 */
async function answerAs(
  deps: WadoDeps,
  query: Query,
  instance: StoredInstance,
  contentType: string,
): Promise<Answer | undefined> {
  if (contentType === 'application/dicom') {
    const shaping = imageParameterOf(query);
    if (shaping !== undefined) {
      throw new AppError(
        ErrorCode.InvalidParameter,
        `${shaping} applies to rendered images and must not be present with contentType application/dicom`,
        shaping,
      );
    }
    const syntax = single(query, 'transferSyntax') ?? TransferSyntaxUid.ExplicitVRLittleEndian;
    if (!canServeAs(instance.transferSyntaxUid, syntax)) return undefined;
    const { transferSyntaxUid, body } = await transcodeInstance(deps.archive, instance, syntax);
    return { type: `application/dicom; transfer-syntax=${transferSyntaxUid}`, body: instanceBody(body) };
  }
  const kind = documentKindOf(instance);
  if (kind !== undefined && instance.frameIndex === null) {
    return renderDocument(deps.archive, instance, kind, contentType);
  }
  const format = (Object.keys(FORMATS) as ImageFormat[]).find((f) => FORMATS[f] === contentType)!;
  const options = renderParametersOf(query, format, instance);
  const frame = (positive(query, 'frameNumber') ?? 1) - 1;
  return { type: FORMATS[format], body: await renderInstanceFrame(deps, instance, frame, options) };
}

/**
 * WADO-URI (PS3.18 §9): `?requestType=WADO&studyUID=…&seriesUID=…&objectUID=…`, answering the object
 * (`contentType=application/dicom`, with `transferSyntax`), a rendered JPEG/PNG/GIF of one frame
 * (`frameNumber`, `windowCenter`/`windowWidth`, `rows`/`columns`, `region`, `imageQuality`), a
 * Structured Report as HTML or text, or an encapsulated PDF or CDA. `contentType` is a list, taken in
 * q order. The instance is read in the actor's access scope and audited as transferred once its answer
 * is made, before it is sent: a 406, a malformed parameter or a missing frame records nothing.
 */
export async function handleWadoUri(
  deps: WadoDeps,
  request: FastifyRequest<{ Querystring: Query }>,
  reply: FastifyReply,
  actor: Actor,
): Promise<FastifyReply> {
  const query = request.query;
  if (required(query, 'requestType') !== 'WADO') {
    throw new AppError(ErrorCode.InvalidParameter, 'requestType must be WADO', 'requestType');
  }
  // Answering the identified object to a request for a de-identified one would disclose the patient.
  if (single(query, 'anonymize') !== undefined) {
    throw new AppError(
      ErrorCode.InvalidParameter,
      'anonymize: de-identification on retrieval is not supported; the object can be retrieved only as stored',
      'anonymize',
    );
  }
  const selector = {
    studyUid: required(query, 'studyUID'),
    seriesUid: required(query, 'seriesUID'),
    sopInstanceUid: required(query, 'objectUID'),
  };
  const contentType = single(query, 'contentType');
  const ranges = parseAccept(contentType).map((entry) => `${entry.type}/${entry.subtype}`);
  if (contentType !== undefined && ranges.length === 0) {
    throw new AppError(
      ErrorCode.InvalidParameter,
      `contentType: "${contentType}" names no media type`,
      'contentType',
    );
  }
  const pending = await deps.archive.prepareInstances(selector, actor);
  const instance = pending.instances[0]!;
  const candidates = candidatesOf(instance, query);
  const tried = new Set<string>();
  for (const range of ranges) {
    // Every candidate the range covers, in order: one that cannot be produced (e.g. the object in a
    // transfer syntax it cannot be converted to) gives way to the next.
    for (;;) {
      const type = firstCovered(
        range,
        candidates.filter((t) => !tried.has(t)),
      );
      if (type === undefined) break;
      tried.add(type);
      const answer = await answerAs(deps, query, instance, type);
      if (answer === undefined) continue;
      // Recorded before the first byte: an object stream that fails midway still sent part of it.
      pending.recordTransfer([instance]);
      if ('securityPolicy' in answer && answer.securityPolicy !== undefined)
        reply.header('content-security-policy', answer.securityPolicy);
      return reply.type(answer.type).send(answer.body);
    }
  }
  throw new AppError(
    ErrorCode.NotAcceptable,
    `contentType ${contentType ?? '(default)'} cannot be produced; this object is available as ${candidates.join(', ')}`,
  );
}
