import { handleWebhook } from "~/.server/webhooks/handler";
import type { Route } from "./+types/webhooks.messagebird.status";

// Delivery reports: MessageBird sends them as GET; POST is accepted the same way.
export const loader = ({ request }: Route.LoaderArgs) => handleWebhook(request, "status");
export const action = ({ request }: Route.ActionArgs) => handleWebhook(request, "status");
