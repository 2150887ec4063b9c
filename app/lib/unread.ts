/** Counting stops here: "99+" says enough, and the count stays an index range scan. */
export const UNREAD_CAP = 100;

export const formatUnread = (count: number) => (count >= UNREAD_CAP ? `${UNREAD_CAP - 1}+` : String(count));

type MetaMatch = { id: string; loaderData: unknown } | undefined;

/** A page's title with the signed-in user's unread count in front, "(3) Messages · Birdline", from the root loader. */
export function titleWithUnread(matches: readonly MetaMatch[], title: string) {
  const root = matches.find((match) => match?.id === "root")?.loaderData as { unread?: number } | undefined;
  const unread = root?.unread ?? 0;
  return [{ title: unread > 0 ? `(${formatUnread(unread)}) ${title}` : title }];
}
