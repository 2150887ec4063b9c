import {
  data,
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useRouteError,
  useLocation,
  useRouteLoaderData,
} from "react-router";
import { getOptionalUser } from "~/.server/identity/session";
import { getTimeZone } from "~/.server/platform/time-zone";
import { countUnreadConversations } from "~/.server/conversations/inbox";
import { isAway } from "~/.server/identity/availability";
import { isStaff } from "~/lib/roles";
import type { Route } from "./+types/root";
import "./app.css";
import { LiveUpdates } from "./components/live-updates";
import { useNonce } from "./components/nonce";
import { NotFound } from "./components/not-found";
import { usePageWidth } from "./components/page-width";
import { SiteFooter, SiteHeader } from "./components/site-chrome";
import { TimeZoneCookie } from "./components/time-zone";
import { titleWithUnread } from "./lib/unread";
import { THEME_COLOUR } from "./lib/app-identity";
import { AppBadge, ServiceWorker } from "./components/installed-app";
import { SectionNav } from "./components/section-nav";
import { sectionOf } from "./lib/site-sections";

export const meta: Route.MetaFunction = ({ matches }) => [
  ...titleWithUnread(matches, "Birdline — your SMS inbox"),
  { name: "description", content: "A self-hostable two-way SMS inbox on MessageBird." },
];

export async function loader({ request, params }: Route.LoaderArgs) {
  const user = await getOptionalUser(request);
  // Every page's nav and title carry it; live updates reload it with the page's data. The thread
  // this request opens is being read by it (its loader runs alongside this one), so it does not count.
  const [unread, away] = await Promise.all([
    user ? countUnreadConversations(user, { reading: params.conversationId }) : 0,
    // The header's Available / Away switch: agents and admins only.
    user && isStaff(user) ? isAway(user.id) : null,
  ]);
  return data({ user, unread, away, ...getTimeZone(request), now: new Date() });
}

export function Layout({ children }: { children: React.ReactNode }) {
  const nonce = useNonce();
  return (
    <html lang="en" className="h-full">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="manifest" href="/manifest.webmanifest" />
        <meta name="theme-color" content={THEME_COLOUR} />
        {/* iOS (16.4+) shows pushes only for a web app added to the home screen, and reads these for it. */}
        <link rel="apple-touch-icon" href="/icons/apple-touch-icon.png" />
        <meta name="apple-mobile-web-app-title" content="Birdline" />
        <meta name="mobile-web-app-capable" content="yes" />
        <meta name="apple-mobile-web-app-capable" content="yes" />
        <meta name="apple-mobile-web-app-status-bar-style" content="default" />
        <Meta />
        <Links />
      </head>
      <body className="flex min-h-full flex-col bg-slate-50 text-slate-900 antialiased">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow"
        >
          Skip to content
        </a>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App({ loaderData }: Route.ComponentProps) {
  const width = usePageWidth();
  const { pathname } = useLocation();
  const section = loaderData.user ? sectionOf(pathname, loaderData.user.role) : null;
  return (
    <>
      <SiteHeader
        user={loaderData.user}
        unread={loaderData.unread}
        away={loaderData.away}
        status={loaderData.user ? <LiveUpdates /> : null}
      />
      <main id="main" className={`mx-auto w-full ${width} flex-1 px-4 py-8`}>
        {section ? <SectionNav section={section} /> : null}
        <Outlet />
      </main>
      <SiteFooter />
      <TimeZoneCookie />
      <ServiceWorker />
      <AppBadge unread={loaderData.user ? loaderData.unread : 0} />
    </>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const user = useRouteLoaderData<typeof loader>("root")?.user ?? null;
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <>
      <SiteHeader user={user} />
      <main id="main" className="mx-auto w-full max-w-5xl flex-1 px-4 py-8">
        {notFound ? (
          <NotFound />
        ) : (
          <section className="mx-auto max-w-lg py-16 text-center" role="alert">
            <p className="text-sm font-semibold uppercase tracking-wide text-red-600">
              {isRouteErrorResponse(error) ? error.status : "Error"}
            </p>
            <h1 className="mt-2 text-3xl font-bold">Something went wrong</h1>
            <p className="mt-3 text-slate-600">
              {isRouteErrorResponse(error) && typeof error.data === "string"
                ? error.data
                : "We could not show this page. Try again in a moment; if it keeps happening, check the server log."}
            </p>
            <a href="/" className="mt-6 inline-block text-brand-700 underline">
              Back to the start page
            </a>
          </section>
        )}
      </main>
      <SiteFooter />
    </>
  );
}
