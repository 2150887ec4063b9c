import { sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { users } from "../platform/db/schema";

/** What the app calls an account wherever it names one: the name they gave, else their email. */
export const accountNameOf = (account: { name: AnyPgColumn; email: AnyPgColumn }) =>
  sql<string | null>`coalesce(${account.name}, ${account.email})`;

/** `accountNameOf` for queries joining `users` itself. */
export const accountName = accountNameOf(users);
