import { type RouteConfig, index, route } from "@react-router/dev/routes";
import { WEBHOOK_PATHS } from "./lib/webhook-paths";

export default [
  index("routes/home.tsx"),
  route("healthz", "routes/healthz.ts"),
  route("register", "routes/register.tsx"),
  route("login", "routes/login.tsx"),
  route("logout", "routes/logout.ts"),
  route("settings/phone", "routes/settings.phone.tsx"),
  route("settings/replies", "routes/settings.replies.tsx"),
  route("settings/notifications", "routes/settings.notifications.tsx"),
  route("push/subscriptions", "routes/push.subscriptions.ts"),
  route("manifest.webmanifest", "routes/manifest.webmanifest.ts"),
  route("settings/webhooks", "routes/settings.webhooks.tsx"),
  route("settings/webhooks/:endpointId", "routes/settings.webhooks.$endpointId.tsx"),
  route("settings/availability", "routes/settings.availability.ts"),
  // The list stays on the left of the open thread on wide screens: the thread is a child of the inbox.
  route("messages", "routes/messages.tsx", [
    index("routes/messages._index.tsx"),
    route("new", "routes/messages.new.tsx"),
    route(":conversationId", "routes/messages.$conversationId.tsx"),
  ]),
  route("messages/:conversationId/export.csv", "routes/messages.$conversationId.export.ts"),
  route(WEBHOOK_PATHS.inbound, "routes/webhooks.messagebird.ts"),
  route(WEBHOOK_PATHS.status, "routes/webhooks.messagebird.status.ts"),
  route(WEBHOOK_PATHS.bird, "routes/webhooks.bird.ts"),
  route("dev/phone", "routes/dev.phone.tsx"),
  route("admin/webhooks", "routes/admin.webhooks.tsx"),
  route("reports", "routes/reports.tsx"),
  route("reports.csv", "routes/reports.csv.ts"),
  route("team", "routes/team.tsx"),
  route("team/numbers", "routes/team.numbers.tsx"),
  route("team/numbers/:numberId/hours", "routes/team.numbers.$numberId.hours.tsx"),
  route("team/labels", "routes/team.labels.tsx"),
  route("team/provider", "routes/team.provider.tsx"),
  route("events", "routes/events.ts"),
  route("*", "routes/not-found.tsx"),
] satisfies RouteConfig;
