import { env } from "../env";
import { openDatabase, type Database } from "./connect";

// One connection pool (or one embedded PGlite) per process. The global survives
// Vite's module reloads in development, where a second PGlite on the same
// directory would corrupt it.
const globalForDb = globalThis as typeof globalThis & { __birdlineDatabase?: Promise<Database> };

export const database = await (globalForDb.__birdlineDatabase ??= openDatabase({
  databaseUrl: env.databaseUrl,
  dataDir: env.dataDir,
}));

export const db = database.db;
