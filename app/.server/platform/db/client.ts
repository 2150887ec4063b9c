import { env } from "../env";
import { openDatabase, type Database } from "./connect";

// One connection pool (and at most one embedded cluster) per process. The global
// survives Vite's module reloads in development, which would otherwise start the
// embedded cluster again on every edit.
const globalForDb = globalThis as typeof globalThis & { __birdlineDatabase?: Promise<Database> };

export const database = await (globalForDb.__birdlineDatabase ??= openDatabase({
  databaseUrl: env.databaseUrl,
  dataDir: env.dataDir,
}));

export const db = database.db;
