import { handleWebhook } from "~/.server/webhooks/handler";
import type { Route } from "./+types/webhooks.messagebird";

// Inbound SMS: legacy forwarding uses GET, Flow Builder and forms use POST.
export const loader = ({ request, context }: Route.LoaderArgs) =>
  handleWebhook(request, "inbound", { sourceIp: context.clientIp });
export const action = ({ request, context }: Route.ActionArgs) =>
  handleWebhook(request, "inbound", { sourceIp: context.clientIp });
