import { data } from "react-router";
import { NotFound } from "~/components/not-found";

export function loader() {
  // A real 404 status, not a 200 page that says "not found".
  throw data(null, { status: 404 });
}

export function action() {
  throw data(null, { status: 404 });
}

export default function NotFoundRoute() {
  return <NotFound />;
}

export function ErrorBoundary() {
  return <NotFound />;
}
