/**
 * Vacuuming for the embedded database. PostgreSQL's autovacuum keeps each table's visibility map
 * and statistics current; PGlite has none (one single-user backend, no background workers), and
 * its table statistics never count changes either, so Palabre vacuums every table of its schema
 * now and then itself (live/vacuum_sweep.ts). Without it, an index scan must visit the table for
 * every row it finds and the planner works from the first statistics it had: bench/search.ts
 * measured search at p50 48 ms on an unvacuumed 100,000-member PGlite, 18 ms vacuumed.
 *
 * @example
 * const tables = await vacuumTables(sql); // ["blocks", "follows", ...]
 */
import type { Sql } from "./client.ts";

/**
 * `vacuum (analyze)` on each table of the current schema, one statement per table, so that on
 * PGlite's single session other queries run between them. Returns the tables' names, in order.
 * After the first run a vacuum skips the pages nothing changed.
 */
export async function vacuumTables(sql: Sql): Promise<string[]> {
  const tables = await sql<{ schema: string; name: string }[]>`
    select n.nspname as schema, c.relname as name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind = 'r'
    order by c.relname`;
  for (const { schema, name } of tables) {
    // VACUUM takes no parameters, and cannot run in a transaction: a simple statement.
    await sql.unsafe(`vacuum (analyze) ${quoted(schema)}.${quoted(name)}`);
  }
  return tables.map((table) => table.name);
}

/** A name as a quoted SQL identifier. */
function quoted(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
