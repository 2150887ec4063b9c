import { requireRole } from "~/.server/identity/session";
import { getTimeZone } from "~/.server/platform/time-zone";
import { buildReport } from "~/.server/reports/report";
import { parseReportQuery } from "~/lib/reports";
import type { Route } from "./+types/reports";

export async function loader({ request }: Route.LoaderArgs) {
  const viewer = await requireRole(request, "agent");
  const { timeZone, stateZone } = getTimeZone(request);
  const report = await buildReport(viewer, parseReportQuery(new URL(request.url).searchParams), { timeZone });
  return { report, stateZone };
}

export default function Reports() {
  return null;
}
