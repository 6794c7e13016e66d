/**
 * A member's exports of their data (migration 017): asked for from Settings, built off the
 * request path in batches by whichever process claims it (live/export_worker.ts), downloaded
 * by that member only as a versioned JSON document, and deleted once expired. What each section
 * reads is db/export_parts.ts; which sections exist is db/member_columns.ts.
 *
 * @example
 * const id = await requestExport(sql, mallory.id, config.dataExports);
 * const claim = await claimExport(sql, { staleMs: 120_000 });
 * if (claim) await buildExport(sql, claim, { batchRows: 500 });
 * const document = await exportDocument(sql, mallory.id, id);
 */
import type { RateLimit } from "../config.ts";
import type { Sql } from "./client.ts";
import { Refusal } from "./errors.ts";
import { notify } from "./events.ts";
import { exportParts, type ExportRow, exportSections } from "./export_parts.ts";
import { spendAttempt } from "./rate_limits.ts";
import { holdPresentMember } from "./users.ts";

export type { ExportRow } from "./export_parts.ts";

export type ExportState = "queued" | "building" | "ready" | "failed";

/** An export as its member's page shows it. */
export interface DataExport {
  id: number;
  state: ExportState;
  partsDone: number;
  partsTotal: number;
  rowsDone: number;
  createdAt: Date;
  finishedAt: Date | null;
  expiresAt: Date;
}

/**
 * The export's document, version 1: the JSON a member downloads, and what the HTML page is
 * rendered from. `sections` holds every section of db/member_columns.ts, each a list of rows
 * per table read (an empty list when there is nothing). Dates are ISO 8601 text.
 */
export interface ExportDocument {
  format: "palabre-export";
  version: 1;
  exported_at: string;
  member: { handle: string | null };
  sections: Record<string, Record<string, ExportRow[]>>;
}

/** A claim on an export by one worker: its writes count only while the claim holds. */
export interface ExportClaim {
  id: number;
  memberId: number;
  key: string;
}

/**
 * Asks for an export of the member's data: a new one, queued, or the one already in the
 * making (a second click costs nothing). Counts against the member's allowance; refuses with
 * `rate_limited` once it is spent.
 */
export async function requestExport(
  sql: Sql,
  memberId: number,
  options: { perMember: RateLimit; keepMs: number },
): Promise<number> {
  return await sql.begin(async (tx) => {
    await holdPresentMember(tx, memberId);
    const [pending] = await tx`select id from data_exports
                               where member_id = ${memberId} and state in ('queued', 'building')`;
    if (pending) return pending.id as number;
    await spendAttempt(tx, { bucket: "data_export", key: String(memberId), ...options.perMember })
      .catch((error) => {
        if (!(error instanceof Refusal) || error.code !== "rate_limited") throw error;
        throw new Refusal("rate_limited", "refusal.export.too_many", {
          params: { ...error.params, max: options.perMember.max },
        });
      });
    // Two clicks at once: the partial unique index lets one in; the other finds it.
    const [made] = await tx`
      insert into data_exports (member_id, expires_at)
      values (${memberId}, statement_timestamp() + ${options.keepMs} * interval '1 millisecond')
      on conflict (member_id) where state in ('queued', 'building') do nothing
      returning id`;
    if (!made) {
      const [other] = await tx`select id from data_exports
                               where member_id = ${memberId} and state in ('queued', 'building')`;
      return other.id as number;
    }
    await notify(tx, { dataExports: true });
    return made.id as number;
  });
}

/** The member's exports not yet expired, newest first. */
export async function exportsOf(sql: Sql, memberId: number): Promise<DataExport[]> {
  const rows = await sql`
    select * from data_exports
    where member_id = ${memberId} and expires_at > now()
    order by created_at desc, id desc limit 10`;
  return rows.map(toExport);
}

/** The member's own export `exportId`; null when there is none, it expired or is someone else's. */
export async function exportOf(
  sql: Sql,
  memberId: number,
  exportId: number,
): Promise<DataExport | null> {
  const [row] = await sql`
    select * from data_exports
    where id = ${exportId} and member_id = ${memberId} and expires_at > now()`;
  return row ? toExport(row) : null;
}

/**
 * Claims the oldest export waiting to be built, or one whose builder has gone silent for
 * `staleMs`, for this worker alone (`skip locked`: processes never wait on each other's claim).
 * What a silent builder wrote is dropped: the new claim builds from the start.
 */
export async function claimExport(
  sql: Sql,
  options: { staleMs: number },
): Promise<ExportClaim | null> {
  const key = crypto.randomUUID();
  return await sql.begin(async (tx) => {
    const [row] = await tx`
      update data_exports set state = 'building', claim_key = ${key}, heard_at = now(),
                              parts_done = 0, parts_total = ${exportParts().length}, rows_done = 0
      where id = (
        select id from data_exports
        where state = 'queued'
           or (state = 'building'
               and heard_at < now() - ${options.staleMs} * interval '1 millisecond')
        order by id limit 1
        for update skip locked)
      returning id, member_id`;
    if (!row) return null;
    await tx`delete from data_export_batches where export_id = ${row.id}`;
    return { id: row.id, memberId: row.member_id, key };
  });
}

/** How far a build has got, for the worker's log. */
export interface BuildProgress {
  partsDone: number;
  partsTotal: number;
  rowsDone: number;
}

/**
 * Builds a claimed export: every part, `batchRows` rows at a time, each batch written with the
 * progress it makes; then marks it ready (downloadable for `keepMs`). Returns false, having
 * stopped, when the claim was lost (another worker took it over, or the export was deleted), or
 * when `signal` aborted it (its process is stopping): the export is then queued again, for the
 * next claim to build from the start. A failure marks the export failed and is thrown on.
 */
export async function buildExport(
  sql: Sql,
  claim: ExportClaim,
  options: {
    batchRows: number;
    keepMs: number;
    onBatch?: (progress: BuildProgress) => void;
    signal?: AbortSignal;
  },
): Promise<boolean> {
  const parts = exportParts();
  let seq = 0;
  let rowsDone = 0;
  try {
    for (const [index, part] of parts.entries()) {
      let after: string | null = null;
      while (true) {
        if (options.signal?.aborted) {
          await sql`update data_exports set state = 'queued', claim_key = null, heard_at = null
                    where id = ${claim.id} and claim_key = ${claim.key}`;
          return false;
        }
        const page = await part.read(sql, claim.memberId, after, options.batchRows);
        if (page.length > 0) {
          after = String(page.at(-1)!.cursor);
          rowsDone += page.length;
          const rows = page.map(({ cursor: _, ...row }) => row);
          const written = await sql`
            insert into data_export_batches (export_id, seq, section, part, rows)
            select ${claim.id}, ${seq++}, ${part.section}, ${part.table}, ${sql.json(rows as [])}
            where exists (select 1 from data_exports
                          where id = ${claim.id} and claim_key = ${claim.key})`;
          if (written.count === 0) return false;
        }
        const last = page.length < options.batchRows;
        const partsDone = last ? index + 1 : index;
        const [held] = await sql`
          update data_exports set parts_done = ${partsDone}, rows_done = ${rowsDone},
                                  heard_at = now()
          where id = ${claim.id} and claim_key = ${claim.key} returning id`;
        if (!held) return false;
        options.onBatch?.({ partsDone, partsTotal: parts.length, rowsDone });
        if (last) break;
      }
    }
    const [done] = await sql`
      update data_exports set state = 'ready', claim_key = null, finished_at = now(),
                              expires_at = now() + ${options.keepMs} * interval '1 millisecond'
      where id = ${claim.id} and claim_key = ${claim.key} returning id`;
    return Boolean(done);
  } catch (error) {
    await sql`update data_exports set state = 'failed', claim_key = null, finished_at = now()
              where id = ${claim.id} and claim_key = ${claim.key}`;
    throw error;
  }
}

/**
 * The member's own finished export as its document; null when it is not theirs, not ready or
 * expired. Batches are put together in the order they were written.
 */
export async function exportDocument(
  sql: Sql,
  memberId: number,
  exportId: number,
): Promise<ExportDocument | null> {
  const [made] = await sql`
    select e.finished_at, u.handle from data_exports e join users u on u.id = e.member_id
    where e.id = ${exportId} and e.member_id = ${memberId} and e.state = 'ready'
      and e.expires_at > now()`;
  if (!made) return null;
  const sections: ExportDocument["sections"] = {};
  for (const section of exportSections()) sections[section] = {};
  for (const part of exportParts()) sections[part.section][part.table] = [];
  const batches = await sql`select section, part, rows from data_export_batches
                            where export_id = ${exportId} order by seq`;
  for (const batch of batches) {
    const list = sections[batch.section]?.[batch.part];
    // A batch of a part no longer exported (the list changed since) stays out.
    if (list) list.push(...(batch.rows as ExportRow[]));
  }
  return {
    format: "palabre-export",
    version: 1,
    exported_at: (made.finished_at as Date).toISOString(),
    member: { handle: made.handle },
    sections,
  };
}

/** Deletes exports past their expiry, with their rows; returns how many. */
export async function forgetExpiredExports(sql: Sql): Promise<number> {
  const gone = await sql`delete from data_exports where expires_at <= now()`;
  return gone.count;
}

function toExport(row: Record<string, unknown>): DataExport {
  return {
    id: row.id as number,
    state: row.state as ExportState,
    partsDone: row.parts_done as number,
    partsTotal: row.parts_total as number,
    rowsDone: row.rows_done as number,
    createdAt: row.created_at as Date,
    finishedAt: row.finished_at as Date | null,
    expiresAt: row.expires_at as Date,
  };
}
