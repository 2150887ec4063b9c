import { handleWebhook } from "~/.server/webhooks/handler";
import type { Route } from "./+types/webhooks.bird";

// The edge answers this path itself (webhookRoutes); the route keeps it reachable under `react-router dev`.
export const action = ({ request, context }: Route.ActionArgs) =>
  handleWebhook(request, "bird", { sourceIp: context.clientIp });
