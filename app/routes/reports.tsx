import { Form, useNavigation } from "react-router";
import { requireRole } from "~/.server/identity/session";
import { getTimeZone } from "~/.server/platform/time-zone";
import { buildReport, type NamedFigures } from "~/.server/reports/report";
import { ChartCard } from "~/components/charts/chart-card";
import { MedianLine } from "~/components/charts/median-line";
import { StackedBars } from "~/components/charts/stacked-bars";
import { WeekHeatmap } from "~/components/charts/week-heatmap";
import { FigureTable } from "~/components/figure-table";
import { Field, FormErrors, SelectField } from "~/components/forms";
import { WIDE_PAGE } from "~/components/page-width";
import { Time } from "~/components/time";
import {
  change,
  eachDay,
  formatDuration,
  formatReportDay,
  parseReportQuery,
  PERIOD_LABELS,
  PERIODS,
  reportSearch,
  WEEKDAYS,
  type ReportDays,
  type ReportTable,
} from "~/lib/reports";
import { titleWithUnread } from "~/lib/unread";
import type { Route } from "./+types/reports";

// Four figures in a row and two charts side by side want a wide screen's width.
export const handle = WIDE_PAGE;

export const meta: Route.MetaFunction = ({ matches }) => titleWithUnread(matches, "Reports · Birdline");

export async function loader({ request }: Route.LoaderArgs) {
  const viewer = await requireRole(request, "agent");
  const { timeZone, stateZone } = getTimeZone(request);
  const report = await buildReport(viewer, parseReportQuery(new URL(request.url).searchParams), { timeZone });
  return { report, stateZone };
}

const count = new Intl.NumberFormat("en-GB");

type Report = Route.ComponentProps["loaderData"]["report"];

export default function Reports({ loaderData }: Route.ComponentProps) {
  const { report, stateZone } = loaderData;
  return (
    <section aria-labelledby="reports-heading" className="space-y-6">
      <header>
        <h1 id="reports-heading" className="text-2xl font-bold text-slate-900">
          Reports
        </h1>
        <p className="mt-1 max-w-3xl text-slate-600">
          {report.ok ? (
            <PeriodSummary days={report.days} />
          ) : (
            "How many texts came in, how fast the team answered, who answered, and when you are busiest."
          )}{" "}
          Days and hours are in {stateZone ? "UTC, until your browser tells us its time zone" : report.timeZone}.
        </p>
      </header>
      <Filters report={report} />
      {report.ok ? <Figures figures={report.figures} days={report.days} search={reportSearch(report.query)} /> : null}
    </section>
  );
}

function PeriodSummary({ days }: { days: ReportDays }) {
  const range =
    days.days === 1
      ? formatReportDay(days.from, true)
      : `${formatReportDay(days.from, days.from.slice(0, 4) !== days.to.slice(0, 4))} to ${formatReportDay(days.to, true)}`;
  return (
    <>
      {range} ({days.days === 1 ? "one day" : `${days.days} days`}), each figure beside the {previousName(days)}.
    </>
  );
}

const previousName = (days: ReportDays) => (days.days === 1 ? "day before" : `${days.days} days before`);

function Filters({ report }: { report: Report }) {
  const navigation = useNavigation();
  const pending = navigation.state === "loading" && navigation.location.pathname === "/reports";
  const { query } = report;
  return (
    <Form
      method="get"
      aria-label="Report filters"
      className="grid gap-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:grid-cols-2 lg:grid-cols-6 lg:items-end"
    >
      <SelectField
        label="Period"
        errors={undefined}
        controlProps={{ id: "period", name: "period", defaultValue: query.period }}
        options={PERIODS.map((period) => ({ value: period, label: PERIOD_LABELS[period] }))}
      />
      <Field
        label="From"
        errors={undefined}
        inputProps={{ id: "from", name: "from", type: "date", defaultValue: query.from ?? "" }}
      />
      <Field
        label="To"
        errors={undefined}
        inputProps={{ id: "to", name: "to", type: "date", defaultValue: query.to ?? "" }}
      />
      <SelectField
        label="Number"
        errors={undefined}
        controlProps={{ id: "number", name: "number", defaultValue: query.number ?? "" }}
        options={[
          { value: "", label: "All our numbers" },
          ...report.numbers.map((n) => ({ value: n.id, label: n.name })),
        ]}
      />
      <SelectField
        label="Agent"
        errors={undefined}
        controlProps={{ id: "agent", name: "agent", defaultValue: query.agent ?? "" }}
        options={[{ value: "", label: "Everyone" }, ...report.agents.map((a) => ({ value: a.id, label: a.name }))]}
      />
      <button type="submit" className="btn-primary" disabled={pending}>
        {pending ? "Updating…" : "Show"}
      </button>
      <p className="text-sm text-slate-500 sm:col-span-2 lg:col-span-6">
        From and To count with “Choose dates”, up to a year. An agent shows the conversations assigned to them now.
      </p>
      {report.ok ? null : (
        <div className="sm:col-span-2 lg:col-span-6">
          <FormErrors errors={[report.message]} />
        </div>
      )}
    </Form>
  );
}

function Figures({ figures, days, search }: { figures: NamedFigures; days: ReportDays; search: string }) {
  const { current, previous, waiting } = figures;
  const before = previousName(days);
  return (
    <>
      <section aria-labelledby="summary-heading" className="space-y-3">
        <h2 id="summary-heading" className="sr-only">
          Summary
        </h2>
        <dl className="grid grid-cols-2 gap-3 lg:grid-cols-4">
          <Stat
            label="Conversations started"
            value={current.started}
            previous={previous.started}
            before={before}
            note={`${count.format(current.startedByTeam)} by the team texting first`}
          />
          <Stat label="Inbound messages" value={current.inbound} previous={previous.inbound} before={before} />
          <Stat
            label="Outbound messages"
            value={current.byPeople + current.automatic}
            previous={previous.byPeople + previous.automatic}
            before={before}
            note={`${count.format(current.byPeople)} by people · ${count.format(current.automatic)} automatic`}
          />
          <Stat label="SMS segments sent" value={current.segments} previous={previous.segments} before={before} />
          <Stat
            label="First response, median"
            value={current.firstResponseMedian}
            previous={previous.firstResponseMedian}
            before={before}
            duration
          />
          <Stat
            label="First response, 90th percentile"
            value={current.firstResponseP90}
            previous={previous.firstResponseP90}
            before={before}
            duration
            note="9 in 10 first replies came this fast"
          />
          <Stat
            label="Resolution time, median"
            value={current.resolutionMedian}
            previous={previous.resolutionMedian}
            before={before}
            duration
            note="from opened to resolved"
          />
          <div className="min-w-0 rounded-xl border border-slate-200 bg-white p-3 shadow-sm sm:p-4">
            <dt className="text-sm font-medium text-slate-600">Waiting for a reply now</dt>
            <dd className="mt-1 text-xl font-semibold tabular-nums text-slate-900 sm:text-2xl">
              {count.format(waiting.conversations)}
            </dd>
            <dd className="mt-1 text-sm text-slate-600">
              {waiting.oldestSince ? (
                <>
                  oldest since <Time date={waiting.oldestSince} />
                </>
              ) : (
                "nobody is waiting"
              )}
            </dd>
          </div>
        </dl>
        <details className="max-w-3xl text-sm text-slate-600">
          <summary className="cursor-pointer font-medium text-brand-700 hover:underline">How these are counted</summary>
          <ul className="mt-2 list-disc space-y-1 pl-5">
            <li>
              A conversation starts with the contact’s first text, or their first after it was resolved. One the team
              starts by texting first (New conversation) counts too, but has no first response time: the contact’s
              answer to it is not a new conversation.
            </li>
            <li>
              First response: from the text that started it to the first reply by a person before it was resolved.
              Automatic replies never count as a response; they are counted as automatic outbound messages.
            </li>
            <li>Outbound messages count once written, failed ones included; cancelled ones never went out.</li>
            <li>Waiting: open conversations whose contact texted after the last reply by a person.</li>
          </ul>
        </details>
      </section>

      <div className="grid gap-4 lg:grid-cols-2">
        <MessagesChart figures={figures} days={days} />
        <ResponseChart figures={figures} days={days} />
        <HeatmapChart figures={figures} />
        <Downloads search={search} />
      </div>

      <PeopleAndNumbers figures={figures} />
    </>
  );
}

function Stat({
  label,
  value,
  previous,
  before,
  duration = false,
  note,
}: {
  label: string;
  value: number | null;
  previous: number | null;
  before: string;
  duration?: boolean;
  note?: string;
}) {
  const shown = (figure: number | null) => (duration ? formatDuration(figure) : count.format(figure ?? 0));
  const moved = change(value, previous);
  return (
    <div className="min-w-0 rounded-xl border border-slate-200 bg-white p-3 shadow-sm sm:p-4">
      <dt className="text-sm font-medium text-slate-600">{label}</dt>
      <dd className="mt-1 text-xl font-semibold tabular-nums text-slate-900 sm:text-2xl">{shown(value)}</dd>
      <dd className="mt-1 text-sm text-slate-600">
        {moved ? (
          <>
            <span aria-hidden="true" className="font-medium text-slate-800">
              {moved.direction === "up" ? "▲" : moved.direction === "down" ? "▼" : "="} {moved.percent}%
            </span>
            <span className="sr-only">
              {moved.direction === "same" ? "the same as" : `${moved.direction} ${moved.percent}% from`}
            </span>{" "}
            <span aria-hidden="true">vs</span> {shown(previous)} the {before}
          </>
        ) : (
          <>
            {shown(previous)} the {before}
          </>
        )}
      </dd>
      {note ? <dd className="mt-0.5 text-xs text-slate-500">{note}</dd> : null}
    </div>
  );
}

const SERIES = [
  { label: "Inbound", fill: "fill-brand-600", swatch: "bg-brand-600" },
  { label: "Replies by people", fill: "fill-emerald-700", swatch: "bg-emerald-700" },
  { label: "Automatic replies", fill: "fill-amber-700", swatch: "bg-amber-700" },
];

/** Every day of the period, quiet ones included, with its figures. */
function periodDays(figures: NamedFigures, days: ReportDays) {
  const byDay = new Map(figures.daily.map((day) => [day.day, day]));
  return eachDay(days.from, days.to).map((day) => ({
    day,
    label: new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", day: "numeric", month: "short" }).format(
      new Date(`${day}T00:00:00Z`),
    ),
    fullLabel: formatReportDay(day, true),
    figures: byDay.get(day) ?? null,
  }));
}

function MessagesChart({ figures, days }: { figures: NamedFigures; days: ReportDays }) {
  const rows = periodDays(figures, days);
  const busiest = [...figures.daily].sort((a, b) => b.inbound - a.inbound)[0];
  const outbound = figures.current.byPeople + figures.current.automatic;
  return (
    <ChartCard
      id="messages-chart"
      heading="Messages per day"
      legend={SERIES.map(({ label, swatch }) => ({ label, swatch }))}
      table={{
        caption: "Messages per day, the numbers",
        columns: ["Day", "Inbound", "By people", "Automatic"],
        rows: rows.map((row) => [
          row.fullLabel,
          row.figures?.inbound ?? 0,
          row.figures?.byPeople ?? 0,
          row.figures?.automatic ?? 0,
        ]),
      }}
    >
      <StackedBars
        id="messages-chart-svg"
        title="Messages per day: inbound and outbound, stacked"
        description={`${count.format(figures.current.inbound)} inbound and ${count.format(outbound)} outbound messages over ${rows.length} days${
          busiest && busiest.inbound > 0
            ? `; the most inbound on ${formatReportDay(busiest.day, true)}, ${count.format(busiest.inbound)}`
            : ""
        }. The table below the chart lists every day.`}
        series={SERIES}
        bars={rows.map((row) => ({
          label: row.label,
          fullLabel: row.fullLabel,
          values: [row.figures?.inbound ?? 0, row.figures?.byPeople ?? 0, row.figures?.automatic ?? 0],
        }))}
      />
    </ChartCard>
  );
}

function ResponseChart({ figures, days }: { figures: NamedFigures; days: ReportDays }) {
  const rows = periodDays(figures, days);
  const answered = rows.filter((row) => row.figures?.firstResponseMedian != null);
  const slowest = [...answered].sort((a, b) => b.figures!.firstResponseMedian! - a.figures!.firstResponseMedian!)[0];
  return (
    <ChartCard
      id="response-chart"
      heading="First response time per day (median)"
      table={{
        caption: "First response time per day, the numbers",
        columns: ["Day", "First responses", "Median"],
        rows: rows.map((row) => [
          row.fullLabel,
          row.figures?.responses ?? 0,
          formatDuration(row.figures?.firstResponseMedian ?? null),
        ]),
      }}
    >
      <MedianLine
        id="response-chart-svg"
        title="Median first response time per day"
        description={
          slowest
            ? `Median first response over the period: ${formatDuration(figures.current.firstResponseMedian)}, on ${answered.length} of ${rows.length} days with a response; slowest day ${slowest.fullLabel}, ${formatDuration(slowest.figures!.firstResponseMedian)}. Days without a response are gaps.`
            : "No first responses in this period."
        }
        points={rows.map((row) => ({
          label: row.label,
          fullLabel: row.fullLabel,
          seconds: row.figures?.firstResponseMedian ?? null,
        }))}
      />
    </ChartCard>
  );
}

function HeatmapChart({ figures }: { figures: NamedFigures }) {
  let busiest = { weekday: 0, hour: 0, count: 0 };
  figures.heatmap.forEach((hours, weekday) =>
    hours.forEach((value, hour) => {
      if (value > busiest.count) busiest = { weekday, hour, count: value };
    }),
  );
  const hour = (h: number) => `${String(h).padStart(2, "0")}:00`;
  return (
    <ChartCard
      id="heatmap-chart"
      heading="When texts come in: weekday × hour"
      table={{
        caption: "Inbound messages by weekday and hour, the numbers",
        columns: ["Hour", ...WEEKDAYS],
        rows: Array.from({ length: 24 }, (_, h) => [hour(h), ...figures.heatmap.map((hours) => hours[h]!)]),
      }}
    >
      <WeekHeatmap
        id="heatmap-chart-svg"
        title="Inbound messages by weekday and hour"
        description={
          busiest.count > 0
            ? `Darker is busier. The busiest hour: ${WEEKDAYS[busiest.weekday]} ${hour(busiest.hour)}, with ${count.format(busiest.count)} inbound messages.`
            : "No inbound messages in this period."
        }
        counts={figures.heatmap}
      />
    </ChartCard>
  );
}

const DOWNLOADS: { table: ReportTable; label: string }[] = [
  { table: "summary", label: "Summary" },
  { table: "daily", label: "Per day" },
  { table: "heatmap", label: "Weekday × hour" },
  { table: "agents", label: "Per agent" },
  { table: "numbers", label: "Per number" },
];

function Downloads({ search }: { search: string }) {
  const params = search ? `${search}&` : "?";
  return (
    <section
      aria-labelledby="downloads-heading"
      className="min-w-0 rounded-xl border border-slate-200 bg-white p-3 shadow-sm sm:p-4"
    >
      <h2 id="downloads-heading" className="text-base font-semibold text-slate-900">
        Download as CSV
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        The same figures and filters, for a spreadsheet. Durations are in seconds.
      </p>
      <ul className="mt-3 flex flex-wrap gap-2">
        {DOWNLOADS.map(({ table, label }) => (
          <li key={table}>
            <a href={`/reports.csv${params}table=${table}`} download className="btn-secondary px-3 py-1.5 text-sm">
              {label}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

function PeopleAndNumbers({ figures }: { figures: NamedFigures }) {
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <TableCard
        id="agents"
        heading="Per agent"
        empty="Nobody replied or resolved anything in this period."
        columns={["Agent", "Replies", "Resolved", "First response"]}
        rows={figures.agents.map((agent) => [
          agent.name,
          count.format(agent.replies),
          count.format(agent.resolved),
          formatDuration(agent.firstResponseMedian),
        ])}
        note="First response: the median of the conversations whose first reply was theirs."
      />
      <TableCard
        id="numbers"
        heading="Per number"
        empty="No messages on any number in this period."
        columns={["Number", "Inbound", "Outbound", "Segments", "First response"]}
        rows={figures.numbers.map((number) => [
          number.name,
          count.format(number.inbound),
          count.format(number.byPeople + number.automatic),
          count.format(number.segments),
          formatDuration(number.firstResponseMedian),
        ])}
      />
    </div>
  );
}

function TableCard({
  id,
  heading,
  columns,
  rows,
  empty,
  note,
}: {
  id: string;
  heading: string;
  columns: string[];
  rows: string[][];
  empty: string;
  note?: string;
}) {
  return (
    <section
      aria-labelledby={`${id}-heading`}
      className="min-w-0 rounded-xl border border-slate-200 bg-white p-3 shadow-sm sm:p-4"
    >
      <h2 id={`${id}-heading`} className="text-base font-semibold text-slate-900">
        {heading}
      </h2>
      {rows.length === 0 ? (
        <p className="mt-2 text-sm text-slate-600">{empty}</p>
      ) : (
        <FigureTable label={`${heading}, the table`} columns={columns} rows={rows} className="mt-2" />
      )}
      {note ? <p className="mt-2 text-xs text-slate-500">{note}</p> : null}
    </section>
  );
}
