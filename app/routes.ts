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
  route("team/provider", "routes/team.provider.tsx"),
  route("events", "routes/events.ts"),
  route("settings/tokens", "routes/settings.tokens.tsx"),
  route("api/v1/openapi.json", "routes/api.v1.openapi.ts"),
  route("api/v1/conversations", "routes/api.v1.conversations.ts"),
  route("api/v1/conversations/:conversationId", "routes/api.v1.conversations.$conversationId.ts"),
  route("api/v1/conversations/:conversationId/messages", "routes/api.v1.conversations.$conversationId.messages.ts"),
  route("api/v1/messages", "routes/api.v1.messages.ts"),
  route("api/v1/numbers", "routes/api.v1.numbers.ts"),
  route("api/*", "routes/api.not-found.ts"),
  route("*", "routes/not-found.tsx"),
] satisfies RouteConfig;
