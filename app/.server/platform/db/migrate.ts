// `npm run db:migrate`: apply pending migrations and exit (the server also does this at boot).
import { env } from "../env";
import { openDatabase } from "./connect";

const database = await openDatabase({ databaseUrl: env.databaseUrl, dataDir: env.dataDir });
await database.close();
console.log(`Migrations applied (${database.kind}).`);
