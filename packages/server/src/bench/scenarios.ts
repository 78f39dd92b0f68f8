import type { HttpClient } from './http-client.js';
import type { StowBody } from './http-client.js';
import { ResourceSampler } from './processes.js';
import { mbPerSecond, summarize, type LatencySummary } from './stats.js';

/** A DICOMweb server under test: a client whose base URL is its DICOMweb root. */
export interface Target {
  label: string;
  client: HttpClient;
  /** The server's process, for memory and CPU sampling. */
  pid?: number;
}

/** STOW-RS request bodies, one list per concurrent client. */
export interface StowWorkload {
  perClient: StowBody[][];
  instances: number;
  objectBytes: number;
}

/** Builds a STOW workload: `clients` lists of `perClient` objects, `perRequest` objects per request. */
export function stowWorkload(
  clients: number,
  perClient: number,
  perRequest: number,
  object: (client: number, index: number) => Uint8Array,
  build: (objects: Uint8Array[]) => StowBody,
): StowWorkload {
  const lists: StowBody[][] = [];
  let objectBytes = 0;
  for (let c = 0; c < clients; c++) {
    const bodies: StowBody[] = [];
    for (let k = 0; k < perClient; k += perRequest) {
      const objects: Uint8Array[] = [];
      for (let j = k; j < Math.min(perClient, k + perRequest); j++) objects.push(object(c, j));
      const body = build(objects);
      objectBytes += body.objectBytes;
      bodies.push(body);
    }
    lists.push(bodies);
  }
  return { perClient: lists, instances: clients * perClient, objectBytes };
}

/** Server memory and CPU during a phase. */
export interface ServerResources {
  /** Highest VmRSS sampled every 50 ms during the phase, MiB. */
  peakRssMb: number;
  /** VmHWM at the end of the phase (the process's lifetime peak), MiB. */
  hwmMb: number;
  /** Share of one core the server used during the phase, %. */
  cpuPercent: number;
}

/** The outcome of one STOW run. */
export interface StowResult {
  clients: number;
  instances: number;
  objectBytes: number;
  seconds: number;
  instancesPerSecond: number;
  mbPerSecond: number;
  /** Latency of one STOW request. */
  requestLatency: LatencySummary;
  failures: number;
  firstFailure?: string;
  server?: ServerResources;
  /** Instances per second of every round, when the figure is the median of several rounds. */
  rounds?: number[];
}

/** Sends a STOW workload, each client its requests one after the other, all clients at once. */
export async function runStow(target: Target, workload: StowWorkload): Promise<StowResult> {
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  const sampler = target.pid !== undefined ? new ResourceSampler(target.pid) : undefined;
  const started = performance.now();
  await Promise.all(
    workload.perClient.map(async (bodies) => {
      for (const body of bodies) {
        const result = await target.client.request('POST', '/studies', {
          headers: { 'content-type': body.contentType, accept: 'application/dicom+json' },
          body: body.body,
          keepBody: true,
        });
        latencies.push(result.ms);
        if (result.status !== 200) {
          failures += body.count;
          firstFailure ??= `${result.status} ${result.body?.toString('utf8').slice(0, 300)}`;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const resources = sampler?.stop();
  return {
    clients: workload.perClient.length,
    instances: workload.instances,
    objectBytes: workload.objectBytes,
    seconds,
    instancesPerSecond: workload.instances / seconds,
    mbPerSecond: mbPerSecond(workload.objectBytes, seconds),
    requestLatency: summarize(latencies),
    failures,
    ...(firstFailure !== undefined ? { firstFailure } : {}),
    ...(resources !== undefined
      ? {
          server: {
            peakRssMb: resources.peakRssMb,
            hwmMb: resources.hwmMb,
            cpuPercent: resources.cpuPercent,
          },
        }
      : {}),
  };
}

/** How a latency measurement samples. */
export interface SamplingPlan {
  warmup: number;
  /** Samples wanted. */
  samples: number;
  /** Stop after this long even with fewer samples (but never before `minSamples`). */
  budgetMs: number;
  minSamples: number;
}

/** Latencies of one kind of request, and what it answered. */
export interface SampledLatency {
  latency: LatencySummary;
  /** Median number of results (JSON array length) or bytes per answer. */
  medianResults?: number;
  medianBytes: number;
  /** Set when the server refused the request (then there is no latency). */
  error?: string;
}

/**
 * Measures one kind of GET, one request at a time on a warm keep-alive connection: `path(n)` gives the
 * n-th request (varying the values, so that the server cannot answer from a cache of one result).
 */
export async function sampleGets(
  target: Target,
  path: (n: number) => string,
  plan: SamplingPlan,
  options: { headers?: Record<string, string>; countJson?: boolean } = {},
): Promise<SampledLatency> {
  const latencies: number[] = [];
  const results: number[] = [];
  const bytes: number[] = [];
  for (let n = 0; n < plan.warmup; n++) {
    const answer = await target.client.request('GET', path(n + 1_000_000), {
      headers: options.headers,
      keepBody: true,
    });
    if (answer.status !== 200) {
      return {
        latency: summarize([]),
        medianBytes: NaN,
        error: `${answer.status} ${answer.body?.toString('utf8').slice(0, 200) ?? ''}`.trim(),
      };
    }
    // A request this slow is warm after one round.
    if (answer.ms > plan.budgetMs / 20) break;
  }
  const started = performance.now();
  for (let n = 0; n < plan.samples; n++) {
    const elapsed = performance.now() - started;
    if (n >= plan.minSamples && elapsed > plan.budgetMs) break;
    // Very slow requests: a few samples are enough to say so.
    if (n >= 3 && elapsed > 3 * plan.budgetMs) break;
    const answer = await target.client.request('GET', path(n), {
      headers: options.headers,
      keepBody: options.countJson === true,
    });
    if (answer.status !== 200) {
      return { latency: summarize(latencies), medianBytes: NaN, error: `${answer.status} on ${path(n)}` };
    }
    latencies.push(answer.ms);
    bytes.push(answer.bytes);
    if (options.countJson && answer.body !== undefined) {
      results.push((JSON.parse(answer.body.toString('utf8')) as unknown[]).length);
    }
  }
  const median = (values: number[]) => summarize(values).p50;
  return {
    latency: summarize(latencies),
    ...(options.countJson ? { medianResults: median(results) } : {}),
    medianBytes: median(bytes),
  };
}

/** Throughput of retrieving a whole series (multipart): the median of a few repetitions. */
export interface RetrieveResult {
  bytes: number;
  seconds: number;
  mbPerSecond: number;
  repetitions: number;
  error?: string;
}

/** Retrieves `path` `repetitions` times (after one warm-up) and keeps the median time. */
export async function runRetrieve(
  target: Target,
  path: string,
  accept: string,
  repetitions: number,
): Promise<RetrieveResult> {
  const warm = await target.client.request('GET', path, { headers: { accept } });
  if (warm.status !== 200) {
    return { bytes: 0, seconds: NaN, mbPerSecond: NaN, repetitions: 0, error: `${warm.status}` };
  }
  const times: number[] = [];
  let bytes = warm.bytes;
  for (let i = 0; i < repetitions; i++) {
    const answer = await target.client.request('GET', path, { headers: { accept } });
    if (answer.status !== 200)
      return { bytes, seconds: NaN, mbPerSecond: NaN, repetitions: i, error: `${answer.status}` };
    times.push(answer.ms);
    bytes = answer.bytes;
  }
  const seconds = summarize(times).p50 / 1000;
  return { bytes, seconds, mbPerSecond: mbPerSecond(bytes, seconds), repetitions };
}
