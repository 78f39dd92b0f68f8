import type { Readable } from 'node:stream';
import { TransferSyntaxUid } from '@lightbox/dicom';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StoredInstance } from '../archive/index-store.js';
import { canServeAs, transcodeInstance } from '../imaging/transcode-instance.js';
import type { Actor } from '../security/actor.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { FORMATS, MAX_VIEWPORT, renderInstanceFrame, type RenderParameters } from './rendered.js';
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

/** The rendering parameters of a WADO-URI request (PS3.18 §9.1.2.1); 400 when one is malformed. */
function renderParametersOf(query: Query, format: keyof typeof FORMATS): RenderParameters {
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
  return {
    format,
    quality: Math.min(quality, 100),
    window: center !== undefined && width !== undefined ? { center, width, function: 'LINEAR' } : undefined,
    viewport: rows !== undefined || columns !== undefined ? { width: columns, height: rows } : undefined,
  };
}

/**
 * The instance as one content type: the object (`application/dicom`, in `transferSyntax`) or a rendered
 * frame; undefined when this type cannot be produced, so that the next one is tried.
 */
async function answerAs(
  deps: WadoDeps,
  query: Query,
  instance: StoredInstance,
  contentType: string,
): Promise<Answer | undefined> {
  if (contentType === 'application/dicom') {
    const syntax = single(query, 'transferSyntax') ?? TransferSyntaxUid.ExplicitVRLittleEndian;
    if (!canServeAs(instance.transferSyntaxUid, syntax)) return undefined;
    const { transferSyntaxUid, body } = await transcodeInstance(deps.archive, instance, syntax);
    return { type: `application/dicom; transfer-syntax=${transferSyntaxUid}`, body: instanceBody(body) };
  }
  const format = (Object.keys(FORMATS) as Array<keyof typeof FORMATS>).find(
    (f) => FORMATS[f] === contentType || (contentType === 'image/*' && f === 'jpeg'),
  );
  if (format === undefined) return undefined;
  const options = renderParametersOf(query, format);
  const frame = (positive(query, 'frameNumber') ?? 1) - 1;
  return { type: FORMATS[format], body: await renderInstanceFrame(deps, instance, frame, options) };
}

/**
 * WADO-URI (PS3.18 §9): `?requestType=WADO&studyUID=…&seriesUID=…&objectUID=…`, answering the object
 * (`contentType=application/dicom`, with `transferSyntax`) or a rendered JPEG/PNG/GIF of one frame
 * (`frameNumber`, `windowCenter`/`windowWidth`, `rows`/`columns`, `imageQuality`). The instance is read
 * in the actor's access scope and audited as transferred once its answer is made, before it is sent:
 * a 406, a malformed parameter or a missing frame records nothing.
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
  const selector = {
    studyUid: required(query, 'studyUID'),
    seriesUid: required(query, 'seriesUID'),
    sopInstanceUid: required(query, 'objectUID'),
  };
  const pending = await deps.archive.prepareInstances(selector, actor);
  const instance = pending.instances[0]!;
  const contentTypes = (single(query, 'contentType') ?? 'image/jpeg')
    .split(',')
    .map((t) => t.trim().split(';')[0]!);
  for (const contentType of contentTypes) {
    const answer = await answerAs(deps, query, instance, contentType);
    if (answer === undefined) continue;
    // Recorded before the first byte: an object stream that fails midway still sent part of it.
    pending.recordTransfer([instance]);
    return reply.type(answer.type).send(answer.body);
  }
  throw new AppError(ErrorCode.NotAcceptable, `contentType ${contentTypes.join(',')} cannot be produced`);
}
