import { data } from "react-router";
import { requireRole } from "~/.server/identity/session";
import { csvDownload } from "~/.server/platform/csv";
import { getTimeZone } from "~/.server/platform/time-zone";
import { reportCsv, reportFileName } from "~/.server/reports/csv";
import { buildReport } from "~/.server/reports/report";
import { parseReportQuery, REPORT_TABLES, type ReportTable } from "~/lib/reports";
import type { Route } from "./+types/reports.csv";

/** GET /reports.csv?…&table=summary|daily|heatmap|agents|numbers: one of /reports' tables, same filters. */
export async function loader({ request }: Route.LoaderArgs) {
  const viewer = await requireRole(request, "agent");
  const params = new URL(request.url).searchParams;
  const table = params.get("table") ?? "summary";
  if (!(REPORT_TABLES as readonly string[]).includes(table))
    throw data(`No table "${table}": choose one of ${REPORT_TABLES.join(", ")}.`, { status: 404 });
  const report = await buildReport(viewer, parseReportQuery(params), getTimeZone(request));
  if (!report.ok) throw data(report.message, { status: 400 });
  return csvDownload(
    reportCsv(table as ReportTable, report.figures),
    reportFileName(table as ReportTable, report.days),
  );
}
