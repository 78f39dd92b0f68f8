/** The scenarios of the bench, as `--only` names them. */
export const SCENARIOS = ['qido', 'stow', 'compare', 'dimse', 'security', 'viewer', 'ris'] as const;

/** A scenario of the bench: QIDO at scale, STOW and read-back, the QIDO comparison, DIMSE. */
export type Scenario = (typeof SCENARIOS)[number];

/** Command-line options of `npm run bench`. */
export interface BenchOptions {
  /** The scenarios to run; empty: all of them. */
  only: Scenario[];
  studies: number;
  instancesPerStudy: number;
  quick: boolean;
  /** Instances of the series stored with one client (and then read back: metadata, frames, retrieve). */
  seriesInstances: number;
  /** Objects per STOW request. */
  stowBatch: number;
  /** STOW and C-STORE rounds per server (interleaved across servers); the median round is reported. */
  rounds: number;
  /** Studies of the archive loaded into both Lightbox and Orthanc for the QIDO comparison. */
  compareStudies: number;
  /** QIDO samples per query (fewer when a query is slow: each query has a time budget). */
  samples: number;
  /** Slices of the CT sent by C-STORE in the DIMSE scenario. */
  dimseInstances: number;
  /** C-FIND runs per server in the DIMSE scenario. */
  findSamples: number;
  /** ORM^O01 messages per HL7 throughput run in the RIS scenario. */
  hl7Messages: number;
  /** Scheduled procedure steps the Modality Worklist holds at least when it is queried. */
  worklistSteps: number;
  /** Timed Modality Worklist queries per server. */
  worklistQueries: number;
  postgresUrl: string;
  postgres: boolean;
  orthanc: boolean;
  rebuildIndex: boolean;
  dropCache: boolean;
  out: string;
}

/** The usage text. */
export const USAGE = `npm run bench -- [options]

  --studies N               studies in the synthetic index for QIDO (default 100000)
  --instances-per-study N   instances per study (default 10; 2 series of 5)
  --quick                   smoke run: 2000 studies, a 100-instance series, fewer samples
  --only LIST               run only these scenarios (comma-separated): qido (synthetic index, commit
                            rate, QIDO at scale), stow (STOW-RS ingest and read-back, storescp
                            reference), compare (QIDO against Orthanc), dimse (C-STORE and C-FIND),
                            security (cost of authentication, audit and encryption at rest), viewer
                            (a 300-slice CT in headless Chromium: first image, MPR volume, scrolling),
                            ris (HL7 ORM throughput with ACKs, Modality Worklist C-FIND latency)
  --series-instances N      instances of the stored series (default 600)
  --stow-batch N            DICOM objects per STOW-RS request (default 1)
  --rounds N                STOW and C-STORE rounds per server, interleaved across servers; the median
                            is reported
                            (default 3; 1 with --quick)
  --compare-studies N       studies loaded into Lightbox and Orthanc for the QIDO comparison (default 2000)
  --samples N               QIDO samples per query (default 200; each query also has a time budget)
  --dimse-instances N       slices of the CT sent by C-STORE (default 500)
  --find-samples N          C-FIND runs per server (default 50; 20 with --quick)
  --hl7-messages N          ORM^O01 messages per HL7 throughput run (default 5000; 1000 with --quick)
  --worklist-steps N        scheduled steps in the worklist at least (default 10000; 2000 with --quick);
                            the throughput runs' orders, topped up
  --worklist-queries N      timed Modality Worklist queries per server (default 300; 100 with --quick)
  --postgres-url URL        PostgreSQL server (default $LIGHTBOX_BENCH_POSTGRES_URL or
                            postgres://postgres@127.0.0.1:5432/postgres); skipped when unreachable
  --no-postgres             SQLite only
  --no-orthanc              no Orthanc comparison, nor the storescp reference next to STOW (the DIMSE
                            scenario keeps storescp)
  --rebuild-index           rebuild the cached synthetic index
  --drop-cache              drop the cached indexes (files and PostgreSQL databases) and exit
  --out DIR                 results and cache directory (default bench-results)
`;

function positive(name: string, text: string | undefined): number {
  const n = Number(text);
  if (text === undefined || !Number.isInteger(n) || n <= 0)
    throw new Error(`${name} needs a positive integer`);
  return n;
}

function isScenario(name: string): name is Scenario {
  return (SCENARIOS as readonly string[]).includes(name);
}

function scenarios(option: string, text: string | undefined): Scenario[] {
  const names = (text ?? '').split(',').filter((n) => n !== '');
  const known = names.filter(isScenario);
  if (names.length === 0 || known.length < names.length)
    throw new Error(`${option} takes a comma-separated list of ${SCENARIOS.join(', ')}`);
  return known;
}

/** True when the run includes `scenario` (all do unless `--only` names others). */
export function runsScenario(options: BenchOptions, scenario: Scenario): boolean {
  return options.only.length === 0 || options.only.includes(scenario);
}

/** Parses the command line (after `--`); throws with a message on a bad option. */
export function parseBenchOptions(args: readonly string[], env: NodeJS.ProcessEnv): BenchOptions | 'help' {
  const quick = args.includes('--quick');
  const options: BenchOptions = {
    only: [],
    studies: quick ? 2000 : 100_000,
    instancesPerStudy: 10,
    quick,
    seriesInstances: quick ? 100 : 600,
    stowBatch: 1,
    rounds: quick ? 1 : 3,
    compareStudies: quick ? 500 : 2000,
    samples: quick ? 40 : 200,
    dimseInstances: 500,
    findSamples: quick ? 20 : 50,
    hl7Messages: quick ? 1000 : 5000,
    worklistSteps: quick ? 2000 : 10_000,
    worklistQueries: quick ? 100 : 300,
    postgresUrl: env.LIGHTBOX_BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    postgres: true,
    orthanc: true,
    rebuildIndex: false,
    dropCache: false,
    out: 'bench-results',
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = () => args[++i];
    switch (arg) {
      case '--quick':
        break;
      case '--studies':
        options.studies = positive(arg, value());
        break;
      case '--instances-per-study':
        options.instancesPerStudy = positive(arg, value());
        break;
      case '--series-instances':
        options.seriesInstances = Math.max(4, positive(arg, value()));
        break;
      case '--stow-batch':
        options.stowBatch = positive(arg, value());
        break;
      case '--rounds':
        options.rounds = positive(arg, value());
        break;
      case '--compare-studies':
        options.compareStudies = positive(arg, value());
        break;
      case '--samples':
        options.samples = positive(arg, value());
        break;
      case '--only':
        options.only = scenarios(arg, value());
        break;
      case '--dimse-instances':
        options.dimseInstances = positive(arg, value());
        break;
      case '--find-samples':
        options.findSamples = positive(arg, value());
        break;
      case '--hl7-messages':
        options.hl7Messages = positive(arg, value());
        break;
      case '--worklist-steps':
        options.worklistSteps = positive(arg, value());
        break;
      case '--worklist-queries':
        options.worklistQueries = positive(arg, value());
        break;
      case '--postgres-url':
        options.postgresUrl = value() ?? '';
        break;
      case '--no-postgres':
        options.postgres = false;
        break;
      case '--no-orthanc':
        options.orthanc = false;
        break;
      case '--rebuild-index':
        options.rebuildIndex = true;
        break;
      case '--drop-cache':
        options.dropCache = true;
        break;
      case '--out':
        options.out = value() ?? options.out;
        break;
      case '--help':
      case '-h':
        return 'help';
      default:
        throw new Error(`unknown option ${arg}`);
    }
  }
  return options;
}
