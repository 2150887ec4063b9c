import { useMatches } from "react-router";

/** For a route module's `handle`: the page uses a wide screen's width (the inbox beside an open thread). */
export const WIDE_PAGE = { wide: true } as const;

/** The max-width class for the header, the page and the footer, so their edges line up. */
export function usePageWidth(): string {
  const wide = useMatches().some((match) => (match.handle as { wide?: boolean } | undefined)?.wide === true);
  return wide ? "max-w-7xl" : "max-w-5xl";
}
