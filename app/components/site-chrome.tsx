import { useEffect, useRef } from "react";
import { Form, Link, NavLink, useLocation } from "react-router";
import { UnreadBadge } from "~/components/unread-badge";
import { AvailabilityToggle } from "~/components/availability-toggle";
import { formatPhone } from "~/lib/phone";
import { hasRole, isStaff, type Role } from "~/lib/roles";
import { sectionOf } from "~/lib/site-sections";

// As wide as the widest page, whatever the page: an admin's nav fits one row on a laptop, unread count and all.
const CHROME_WIDTH = "max-w-7xl";

type NavUser = { email: string | null; name: string | null; role: Role; phoneNumber: string | null };

const navLink = ({ isActive }: { isActive: boolean }) =>
  // Tighter in the one-row nav, so an admin's links fit beside the logo.
  `rounded-md px-3 py-2 text-sm font-medium lg:px-1.5 ${isActive ? "bg-brand-50 text-brand-700" : "text-slate-700 hover:bg-slate-100"}`;

/** A section's header link stays lit on every page of the section, not only on the one it opens. */
const sectionLink = (inSection: boolean) => () => navLink({ isActive: inSection });

/** `status` sits at the start of the signed-in links, outside the menu: the live-update indicator. */
export function SiteHeader({
  user,
  unread = 0,
  away = null,
  status,
}: {
  user: NavUser | null;
  /** Conversations with something this user has not read. */
  unread?: number;
  /** Whether an agent or admin is away; null for a member (who has no such switch) or when unknown. */
  away?: boolean | null;
  status?: React.ReactNode;
}) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <nav aria-label="Main" className={`relative mx-auto flex ${CHROME_WIDTH} flex-wrap items-center gap-2 px-4 py-3`}>
        <Link to="/" className="mr-auto flex items-center gap-2 text-lg font-bold text-brand-900">
          <BirdMark />
          Birdline
        </Link>
        {user ? (
          <>
            {status}
            <SiteMenu user={user} unread={unread} away={away} />
          </>
        ) : (
          <>
            <NavLink to="/login" className={navLink}>
              Sign in
            </NavLink>
            {/* Narrow screens: the start and sign-in pages carry their own sign-up link. */}
            <Link
              to="/register"
              className="hidden rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700 min-[400px]:inline-block"
            >
              Create account
            </Link>
          </>
        )}
      </nav>
    </header>
  );
}

/** The signed-in links: a menu on narrow screens, in line on wide ones (see `.nav-menu` in app.css). */
function SiteMenu({ user, unread, away }: { user: NavUser; unread: number; away: boolean | null }) {
  const menu = useRef<HTMLDetailsElement>(null);
  const { pathname } = useLocation();
  const section = sectionOf(pathname, user.role)?.name;
  // The header outlives client-side navigations: an open menu would stay over the new page.
  useEffect(() => {
    if (menu.current) menu.current.open = false;
  }, [pathname]);
  return (
    <details ref={menu} className="nav-menu">
      <summary>
        <MenuIcon />
        Menu
        {/* Narrow screens keep the links folded away: the count shows on the toggle too. */}
        {unread > 0 ? <UnreadBadge unread={unread} className="ml-1.5 px-1.5" /> : null}
      </summary>
      <div className="nav-menu-items">
        <NavLink to="/messages" className={navLink}>
          Messages
          {unread > 0 ? <UnreadBadge unread={unread} testId="nav-unread" className="ml-1.5 px-1.5" /> : null}
        </NavLink>
        {isStaff(user) ? (
          <NavLink to="/reports" className={navLink}>
            Reports
          </NavLink>
        ) : null}
        {hasRole(user, "admin") ? (
          <NavLink to="/team" className={sectionLink(section === "Team")}>
            Team
          </NavLink>
        ) : null}
        <NavLink to="/settings/notifications" className={sectionLink(section === "Settings")}>
          Settings
        </NavLink>
        <NavLink to="/settings/phone" className={navLink}>
          {user.phoneNumber ? (
            <span>
              <span className="sr-only">Verified phone: </span>
              <span data-testid="nav-phone">{formatPhone(user.phoneNumber)}</span>
            </span>
          ) : (
            "Verify your phone"
          )}
        </NavLink>
        {away !== null && isStaff(user) ? <AvailabilityToggle away={away} /> : null}
        <span
          className="truncate px-3 py-2 text-sm text-slate-600 lg:max-w-40 lg:px-1.5"
          title={user.email ?? undefined}
        >
          {user.name || user.email}
          {isStaff(user) ? (
            <span className="ml-1 rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700">{user.role}</span>
          ) : null}
        </span>
        <Form method="post" action="/logout">
          <button type="submit" className="btn-secondary w-full py-1.5 text-sm font-medium shadow-none">
            Sign out
          </button>
        </Form>
      </div>
    </details>
  );
}

function MenuIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" className="h-4 w-4" fill="none" stroke="currentColor" strokeWidth="2">
      <path d="M3 5h14M3 10h14M3 15h14" strokeLinecap="round" />
    </svg>
  );
}

export function SiteFooter() {
  return (
    <footer className="border-t border-slate-200 bg-white">
      <div
        className={`mx-auto flex ${CHROME_WIDTH} flex-wrap items-center justify-between gap-2 px-4 py-4 text-sm text-slate-500`}
      >
        <p>Birdline — a self-hostable two-way SMS inbox.</p>
        <p>
          <a href="/healthz" className="underline hover:text-slate-700">
            Status
          </a>
        </p>
      </div>
    </footer>
  );
}

export function BirdMark() {
  return (
    <svg aria-hidden="true" viewBox="0 0 32 32" className="h-7 w-7">
      <rect width="32" height="32" rx="8" className="fill-brand-600" />
      <path d="M7 19c4 0 6-2 8-6s5-5 10-4c-2 1-3 2-3 4 0 5-4 9-10 9-2 0-4-1-5-3z" fill="white" />
      <circle cx="21" cy="12" r="1.2" className="fill-brand-600" />
    </svg>
  );
}
