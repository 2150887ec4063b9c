import { handleWebhook } from "~/.server/webhooks/handler";
import type { Route } from "./+types/webhooks.messagebird";

// Inbound SMS: legacy forwarding uses GET, Flow Builder and forms use POST.
export const loader = ({ request }: Route.LoaderArgs) => handleWebhook(request, "inbound");
export const action = ({ request }: Route.ActionArgs) => handleWebhook(request, "inbound");
