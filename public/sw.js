// Birdline's service worker: notifications with the tab closed, and a page that
// says so when there is no connection. Plain JavaScript, served as is from /sw.js
// so its scope is the whole site.

const CACHE = "birdline-offline-v1";
const OFFLINE_PAGE = "/offline.html";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll([OFFLINE_PAGE, "/favicon.svg"])));
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

// Pages always come from the network (an inbox must never show a stale thread);
// only when that fails does the offline page stand in. Everything else, event
// streams and form posts included, is left to the browser.
self.addEventListener("fetch", (event) => {
  if (event.request.mode !== "navigate" || event.request.method !== "GET") return;
  event.respondWith(fetch(event.request).catch(() => caches.match(OFFLINE_PAGE)));
});

self.addEventListener("push", (event) => {
  const push = readPush(event);
  const shown = self.registration.showNotification(push.title, {
    body: push.body,
    tag: push.tag,
    // A newer message in the same conversation replaces the notification and still alerts.
    renotify: true,
    icon: "/icons/icon-192.png",
    badge: "/icons/badge-96.png",
    data: { url: push.url },
  });
  event.waitUntil(Promise.all([shown, showUnread(push.unread)]));
});

function readPush(event) {
  const fallback = { title: "Birdline", body: "New message", tag: "birdline", url: "/messages" };
  try {
    return { ...fallback, ...event.data.json() };
  } catch {
    return fallback;
  }
}

function showUnread(unread) {
  if (typeof unread !== "number" || !("setAppBadge" in self.navigator)) return undefined;
  return (unread > 0 ? self.navigator.setAppBadge(unread) : self.navigator.clearAppBadge()).catch(() => {});
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  // Only our own pages: the path comes from our server, but a URL is resolved against this origin all the same.
  const target = new URL(event.notification.data?.url ?? "/messages", self.location.origin);
  const url = target.origin === self.location.origin ? target.href : new URL("/messages", self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((client) => client.url === url);
      if (open) return open.focus();
      // A window of its own rather than taking over another tab, where a reply may be half typed.
      return self.clients.openWindow(url);
    }),
  );
});

// The push service replaced the subscription (keys rotated, or it expired): tell the server the new one.
self.addEventListener("pushsubscriptionchange", (event) => {
  const options = event.oldSubscription?.options;
  if (!options) return;
  event.waitUntil(
    self.registration.pushManager.subscribe(options).then((subscription) =>
      fetch("/push/subscriptions", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(subscription.toJSON()),
      }),
    ),
  );
});
