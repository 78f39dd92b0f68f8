import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { validateDicomNode, type DicomNode, type DicomNodeInput } from './dicom-node.js';

/**
 * The remote DICOM nodes: those of the config file (fixed, read-only) and those registered through the
 * API (in the database, so every node of a scale-out deployment sees them).
 */
export class DicomNodeRegistry {
  private readonly configured: ReadonlyMap<string, DicomNode>;

  constructor(
    private readonly db: Kysely<Tables>,
    configNodes: Readonly<Record<string, DicomNodeInput>>,
  ) {
    this.configured = new Map(
      Object.entries(configNodes).map(([name, input]) => [name, validateDicomNode(name, input, 'config')]),
    );
  }

  /** Every node, by name. */
  async list(): Promise<DicomNode[]> {
    const rows = await this.db.selectFrom('dicom_node').selectAll().orderBy('name').execute();
    const stored = rows.filter((row) => !this.configured.has(row.name)).map(toNode);
    return [...this.configured.values(), ...stored].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** One node, or undefined. */
  async get(name: string): Promise<DicomNode | undefined> {
    const configured = this.configured.get(name);
    if (configured !== undefined) return configured;
    const row = await this.db
      .selectFrom('dicom_node')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return row === undefined ? undefined : toNode(row);
  }

  /** The nodes with this AE title (AE titles compare without their padding, case-sensitively). */
  async findByAeTitle(aet: string): Promise<DicomNode[]> {
    const wanted = aet.trim();
    const rows = await this.db.selectFrom('dicom_node').selectAll().where('ae_title', '=', wanted).execute();
    return [...[...this.configured.values()].filter((n) => n.aet === wanted), ...rows.map(toNode)];
  }

  /** Creates or replaces a node registered through the API; `created` tells which. */
  async put(name: string, input: DicomNodeInput): Promise<{ node: DicomNode; created: boolean }> {
    if (this.configured.has(name)) throw readOnly(name);
    const node = validateDicomNode(name, input, 'api');
    const now = Date.now();
    const values = {
      ae_title: node.aet,
      host: node.host,
      port: node.port,
      tls: node.tls ? 1 : 0,
      updated_at: now,
    };
    return this.db.transaction().execute(async (tx) => {
      const updated = await tx
        .updateTable('dicom_node')
        .set(values)
        .where('name', '=', name)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) > 0) return { node, created: false };
      await tx
        .insertInto('dicom_node')
        .values({ name, ...values, created_at: now })
        .execute();
      return { node, created: true };
    });
  }

  /** Removes a node registered through the API; false when there was none. */
  async delete(name: string): Promise<boolean> {
    if (this.configured.has(name)) throw readOnly(name);
    const result = await this.db.deleteFrom('dicom_node').where('name', '=', name).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

function readOnly(name: string): AppError {
  return new AppError(
    ErrorCode.Conflict,
    `node ${name} is defined in the configuration file; change it there (nodes of the file are read-only here)`,
  );
}

function toNode(row: { name: string; ae_title: string; host: string; port: number; tls: number }): DicomNode {
  return {
    name: row.name,
    aet: row.ae_title,
    host: row.host,
    port: row.port,
    tls: row.tls === 1,
    source: 'api',
  };
}
