import { sql } from "drizzle-orm";
import { users } from "../platform/db/schema";

/** What the app calls an account wherever it names one: the name they gave, else their email. For queries joining `users`. */
export const accountName = sql<string | null>`coalesce(${users.name}, ${users.email})`;
