import { localDay, reportDays, type ReportDays, type ReportQuery } from "~/lib/reports";
import { numberName } from "~/lib/our-numbers";
import type { Viewer } from "../conversations/access";
import { listStaff } from "../identity/team";
import { listNumbers } from "../sms/numbers";
import { reportFigures, type ReportFigures } from "./figures";

/**
 * One report as /reports shows it and /reports.csv writes it: the filters' choices (our numbers,
 * the team), the days asked for in the viewer's zone, and the figures with names put to ids.
 */

export type Choice = { id: string; name: string };

export type Report = {
  query: ReportQuery;
  numbers: Choice[];
  agents: Choice[];
  timeZone: string;
} & ({ ok: true; days: ReportDays; figures: NamedFigures } | { ok: false; message: string });

export type NamedFigures = Omit<ReportFigures, "numbers" | "agents"> & {
  numbers: (ReportFigures["numbers"][number] & { name: string })[];
  agents: (ReportFigures["agents"][number] & { name: string })[];
};

export async function buildReport(
  viewer: Viewer,
  query: ReportQuery,
  { timeZone, now = new Date() }: { timeZone: string; now?: Date },
): Promise<Report> {
  const [ourNumbers, staff] = await Promise.all([listNumbers(), listStaff()]);
  const numbers = ourNumbers.map((number) => ({ id: number.id, name: numberName(number), number: number.number }));
  const agents = staff.map((account) => ({ id: account.id, name: account.name || account.email || "Someone" }));
  // A number or agent that is not (or no longer) ours filters nothing rather than everything.
  const filters = {
    ...query,
    number: numbers.some((number) => number.id === query.number) ? query.number : null,
    agent: agents.some((agent) => agent.id === query.agent) ? query.agent : null,
  };
  const choices = { query: filters, numbers: numbers.map(({ id, name }) => ({ id, name })), agents, timeZone };
  const days = reportDays(filters, localDay(now, timeZone));
  if (!days.ok) return { ...choices, ok: false, message: days.message };
  const figures = await reportFigures(
    { viewer, numberId: filters.number, agentId: filters.agent, timeZone },
    days.days,
  );
  const numberNames = new Map(numbers.map((number) => [number.number, number.name]));
  const agentNames = new Map(agents.map((agent) => [agent.id, agent.name]));
  return {
    ...choices,
    ok: true,
    days: days.days,
    figures: {
      ...figures,
      numbers: figures.numbers.map((row) => ({ ...row, name: numberNames.get(row.number) ?? row.number })),
      agents: figures.agents
        .map((row) => ({ ...row, name: agentNames.get(row.userId) ?? "A former team member" }))
        .sort((a, b) => b.replies - a.replies || a.name.localeCompare(b.name)),
    },
  };
}
