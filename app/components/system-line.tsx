import { Time } from "~/components/time";

export type SystemLineData = { id: string; text: string; createdAt: Date | string };

/**
 * A change of handling among the messages ("Resolved by Ana"): small, muted
 * and centred, with no bubble and no sender, so neither eyes nor a screen
 * reader take it for an SMS. The team's only.
 */
export function SystemLine({ line }: { line: SystemLineData }) {
  return (
    <li className="flex justify-center px-2" data-system-line={line.id}>
      <p className="max-w-[90%] text-center text-xs text-slate-600">
        {line.text} · <Time date={line.createdAt} />
      </p>
    </li>
  );
}
