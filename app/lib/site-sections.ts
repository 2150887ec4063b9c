import { hasRole, isStaff, type Role } from "./roles";

/**
 * The pages behind the header's Team and Settings links, in the order their
 * tabs show them. Team: how the whole team works (admins). Settings: your own.
 */
export type SectionLink = { to: string; label: string; end?: boolean };
export type Section = { name: "Team" | "Settings"; links: SectionLink[] };

export function teamSection(role: Role): Section | null {
  if (!hasRole({ role }, "admin")) return null;
  return {
    name: "Team",
    links: [
      { to: "/team", label: "Members", end: true },
      { to: "/team/numbers", label: "Numbers" },
      { to: "/team/labels", label: "Labels" },
      { to: "/team/provider", label: "Provider" },
      { to: "/admin/webhooks", label: "Webhook log" },
      { to: "/settings/webhooks", label: "Outgoing webhooks" },
    ],
  };
}

export function settingsSection(role: Role): Section {
  return {
    name: "Settings",
    links: [
      { to: "/settings/notifications", label: "Notifications" },
      ...(isStaff({ role }) ? [{ to: "/settings/replies", label: "Saved replies" }] : []),
      { to: "/settings/tokens", label: "API tokens" },
      { to: "/settings/phone", label: "Your phone" },
    ],
  };
}

const within = (pathname: string, link: SectionLink) =>
  link.end ? pathname === link.to : pathname === link.to || pathname.startsWith(`${link.to}/`);

/** The section a page belongs to, for its tabs and the header link to light up; null elsewhere. */
export function sectionOf(pathname: string, role: Role): Section | null {
  const team = teamSection(role);
  // Team first: /settings/webhooks is the team's, whatever its path says.
  if (team && (pathname.startsWith("/team/") || team.links.some((link) => within(pathname, link)))) return team;
  const settings = settingsSection(role);
  return settings.links.some((link) => within(pathname, link)) ? settings : null;
}
