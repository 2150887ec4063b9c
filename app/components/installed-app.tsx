import { useEffect } from "react";

/**
 * Registers /sw.js on every page: it is what makes Birdline installable, shows
 * the offline page and receives pushes. Without JavaScript pages work as before.
 */
export function ServiceWorker() {
  useEffect(() => {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
      // A private window or a blocked worker: the pages work without it.
    });
  }, []);
  return null;
}

/** The unread count on the installed app's icon (Badging API), as the title shows it in the tab. */
export function AppBadge({ unread }: { unread: number }) {
  useEffect(() => {
    if (!("setAppBadge" in navigator)) return;
    (unread > 0 ? navigator.setAppBadge(unread) : navigator.clearAppBadge()).catch(() => {
      // Not installed, or the permission is not given: the title carries the count anyway.
    });
  }, [unread]);
  return null;
}
