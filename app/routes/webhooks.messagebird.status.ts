import { handleWebhook } from "~/.server/webhooks/handler";
import type { Route } from "./+types/webhooks.messagebird.status";

// Delivery reports: MessageBird sends them as GET; POST is accepted the same way.
export const loader = ({ request, context }: Route.LoaderArgs) =>
  handleWebhook(request, "status", { sourceIp: context.clientIp });
export const action = ({ request, context }: Route.ActionArgs) =>
  handleWebhook(request, "status", { sourceIp: context.clientIp });
