import type { SQL } from "drizzle-orm";
import type { Db } from "./connect";

type Session = {
  prepareQuery(
    query: { sql: string; params: unknown[] },
    fields: undefined,
    name: string,
    isResponseInArrayMode: boolean,
  ): { execute(): Promise<unknown> };
};

/**
 * Runs a statement whose text is the same on every call (its values, however
 * many rows, travel as parameters) as a prepared statement: on postgres.js
 * it is parsed and planned once per connection, where drizzle's `execute`
 * sends every statement unnamed, to be parsed again each time. Inside a
 * transaction pass `tx`.
 */
export async function preparedRows<Row>(db: Db, name: string, statement: SQL): Promise<Row[]> {
  // Drizzle only prepares through its session; a name is what turns postgres.js's `prepare` on.
  const session = (db as unknown as { _: { session: Session } })._.session;
  return (await session.prepareQuery(db.execute(statement).getQuery(), undefined, name, false).execute()) as Row[];
}
