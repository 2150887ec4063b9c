import { useMatches } from "react-router";

/** For a route module's `handle`: the page uses a wide screen's width (the inbox beside an open thread). */
export const WIDE_PAGE = { wide: true } as const;

/** The page's max-width class: a reading width, or the screen's on wide pages. */
export function usePageWidth(): string {
  const wide = useMatches().some((match) => (match.handle as { wide?: boolean } | undefined)?.wide === true);
  return wide ? "max-w-7xl" : "max-w-5xl";
}
