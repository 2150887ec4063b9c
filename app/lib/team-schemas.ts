import { z } from "zod";
import { ROLES } from "./roles";

// The forms of /team, checked in the browser for instant feedback and on the server for the truth.

/** Invites bring in staff; members need no invite, they sign up themselves. */
export const INVITE_ROLES = ["agent", "admin"] as const;
export type InviteRole = (typeof INVITE_ROLES)[number];

// Ids are not checked for shape here: an id that names nothing is a 404, however it is spelled.
const id = (error: string) => z.string({ error }).max(64, { error });
const userId = id("Choose an account");

export const SetRoleSchema = z.object({
  intent: z.literal("set-role"),
  userId,
  role: z.enum(ROLES, { error: "Choose member, agent or admin" }),
});

export const DeactivateSchema = z.object({ intent: z.literal("deactivate"), userId });

export const ReactivateSchema = z.object({ intent: z.literal("reactivate"), userId });

export const InviteSchema = z.object({
  intent: z.literal("invite"),
  role: z.enum(INVITE_ROLES, { error: "Invite them as an agent or an admin" }),
});

export const RevokeInviteSchema = z.object({
  intent: z.literal("revoke-invite"),
  inviteId: id("Choose an invite"),
});

export const TeamActionSchema = z.discriminatedUnion("intent", [
  SetRoleSchema,
  DeactivateSchema,
  ReactivateSchema,
  InviteSchema,
  RevokeInviteSchema,
]);

/** Which members /team lists: `?q=` searches them, `?page=` (from 1) pages through them. */
export type MembersQuery = { search: string; page: number };

export function parseMembersQuery(params: URLSearchParams): MembersQuery {
  const page = Number.parseInt(params.get("page") ?? "", 10);
  return {
    search: (params.get("q") ?? "").trim().slice(0, 100),
    page: Number.isSafeInteger(page) && page > 1 ? Math.min(page, 100_000) : 1,
  };
}

export function membersHref({ search, page }: MembersQuery): string {
  const params = new URLSearchParams();
  if (search) params.set("q", search);
  if (page > 1) params.set("page", String(page));
  const query = params.toString();
  return query ? `/team?${query}#members-heading` : "/team#members-heading";
}
