import { desc, eq, sql } from "drizzle-orm";
import { db } from "../platform/db/client";
import { webhookDeliveries, webhookEndpoints } from "../platform/db/schema";
import { isUuid } from "../platform/db/uuid";
import { open, seal } from "../platform/secret-box";
import type { WebhookEvent } from "~/lib/outgoing-webhook-schemas";
import { destinationRefusal } from "./address-guard";
import { newSigningSecret } from "./signing";

/**
 * The team's webhook endpoints (admins keep them, /settings/webhooks). The signing secret is
 * sealed at rest and shown to admins on the endpoint's page whenever they need it: receivers
 * verify with it, and unlike a password nobody signs in with it.
 */

/** How long the secret before a rotation keeps signing beside the new one. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

export type EndpointFields = { url: string; events: WebhookEvent[] };

const summary = {
  id: webhookEndpoints.id,
  url: webhookEndpoints.url,
  events: webhookEndpoints.events,
  active: webhookEndpoints.active,
  disabledReason: webhookEndpoints.disabledReason,
  disabledAt: webhookEndpoints.disabledAt,
  failingSince: webhookEndpoints.failingSince,
  createdAt: webhookEndpoints.createdAt,
};

/** The list, each endpoint with how its latest delivery went (the endpoint's index finds it). */
// The outer row named in full: drizzle writes a column of the query's own table unqualified, which the subquery would read as its own.
export async function listEndpoints() {
  const rows = await db
    .select({
      ...summary,
      lastDelivery: sql<{ status: "pending" | "succeeded" | "failed"; createdAt: string } | null>`(
        select json_build_object('status', d.status, 'createdAt', d.created_at) from ${webhookDeliveries} d
        where d.endpoint_id = webhook_endpoints.id order by d.created_at desc limit 1)`,
    })
    .from(webhookEndpoints)
    .orderBy(desc(webhookEndpoints.createdAt), webhookEndpoints.id);
  return rows.map(({ lastDelivery, ...endpoint }) => ({
    ...endpoint,
    lastDelivery: lastDelivery && { status: lastDelivery.status, createdAt: new Date(lastDelivery.createdAt) },
  }));
}

/** An endpoint with its signing secret in plain text (null if AUTH_SECRET changed since: rotate it). */
export async function findEndpoint(id: string) {
  if (!isUuid(id)) return undefined;
  const [row] = await db
    .select({ ...summary, sealedSecret: webhookEndpoints.sealedSecret })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.id, id));
  if (!row) return undefined;
  const { sealedSecret, ...endpoint } = row;
  return { ...endpoint, secret: open(sealedSecret) };
}

/** Saved, or why the address is refused (the form's field error); nothing is saved then. */
export type SaveOutcome = { ok: true; id: string } | { ok: false; urlError: string };

export async function createEndpoint(fields: EndpointFields): Promise<SaveOutcome> {
  const urlError = await destinationRefusal(fields.url);
  if (urlError) return { ok: false, urlError };
  const [row] = await db
    .insert(webhookEndpoints)
    .values({ ...fields, sealedSecret: seal(newSigningSecret()) })
    .returning({ id: webhookEndpoints.id });
  return { ok: true, id: row!.id };
}

/** Turning an endpoint on again forgets why it was turned off and its run of failures. Null: no such endpoint. */
export async function updateEndpoint(
  id: string,
  fields: EndpointFields & { active: boolean },
): Promise<SaveOutcome | null> {
  if (!isUuid(id)) return null;
  const urlError = await destinationRefusal(fields.url);
  if (urlError) return { ok: false, urlError };
  const updated = await db
    .update(webhookEndpoints)
    .set({
      ...fields,
      ...(fields.active
        ? {
            disabledReason: sql`case when ${webhookEndpoints.active} then ${webhookEndpoints.disabledReason} end`,
            disabledAt: sql`case when ${webhookEndpoints.active} then ${webhookEndpoints.disabledAt} end`,
            failingSince: sql`case when ${webhookEndpoints.active} then ${webhookEndpoints.failingSince} end`,
          }
        : {}),
    })
    .where(eq(webhookEndpoints.id, id))
    .returning({ id: webhookEndpoints.id });
  return updated.length > 0 ? { ok: true, id } : null;
}

export async function deleteEndpoint(id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  const deleted = await db
    .delete(webhookEndpoints)
    .where(eq(webhookEndpoints.id, id))
    .returning({ id: webhookEndpoints.id });
  return deleted.length > 0;
}

/** A new secret; the old one signs too for a day, so receivers can switch without refusing a delivery. */
export async function rotateSecret(id: string, now = new Date()): Promise<boolean> {
  if (!isUuid(id)) return false;
  const updated = await db
    .update(webhookEndpoints)
    .set({
      previousSealedSecret: webhookEndpoints.sealedSecret,
      previousSecretUntil: new Date(now.getTime() + ROTATION_OVERLAP_MS),
      sealedSecret: seal(newSigningSecret()),
    })
    .where(eq(webhookEndpoints.id, id))
    .returning({ id: webhookEndpoints.id });
  return updated.length > 0;
}

/** The secrets a delivery is signed with now: the current one, and the one before while it overlaps. */
export function signingSecrets(
  endpoint: { sealedSecret: string; previousSealedSecret: string | null; previousSecretUntil: Date | null },
  now = new Date(),
): string[] {
  const previous =
    endpoint.previousSealedSecret && endpoint.previousSecretUntil && endpoint.previousSecretUntil > now
      ? endpoint.previousSealedSecret
      : null;
  return [endpoint.sealedSecret, previous].flatMap((sealed) => {
    const secret = sealed && open(sealed);
    return secret ? [secret] : [];
  });
}
