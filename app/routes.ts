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
  route("team", "routes/team.tsx"),
  route("team/numbers", "routes/team.numbers.tsx"),
  route("team/labels", "routes/team.labels.tsx"),
  route("team/provider", "routes/team.provider.tsx"),
  route("events", "routes/events.ts"),
  route("*", "routes/not-found.tsx"),
] satisfies RouteConfig;
