/** Roles in rising order of what they may do. Shared by server checks and the nav. */
export const ROLES = ["member", "agent", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** Agents and admins: the team that answers, sees every conversation. */
export const STAFF_ROLES: readonly Role[] = ["agent", "admin"];

/** True when `user` has `role` or a higher one: an admin passes `hasRole(user, "agent")`. */
export const hasRole = (user: { role: Role }, role: Role) => ROLES.indexOf(user.role) >= ROLES.indexOf(role);

export const isStaff = (user: { role: Role }) => hasRole(user, "agent");

/** Taking everything about a contact out (CSV export) or erasing it: a data subject's requests, for admins. */
export const CONTACT_DATA_ROLE: Role = "admin";

/** Seeing the provider's state (the outbox banner: replies waiting on an outage): the admins who can act on it. */
export const PROVIDER_ROLE: Role = "admin";
