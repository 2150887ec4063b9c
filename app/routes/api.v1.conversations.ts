import { listConversations } from "~/.server/api/conversations";
import { endpoint, methodNotAllowed, readQuery } from "~/.server/api/handler";
import { ConversationListQuery } from "~/.server/api/schemas";

export const loader = endpoint(async ({ user, request }) => ({
  status: 200,
  body: await listConversations(user, readQuery(request, ConversationListQuery)),
}));

export const action = methodNotAllowed("GET");
