import { listMessages, visibleConversation } from "~/.server/api/conversations";
import { endpoint, methodNotAllowed, readQuery } from "~/.server/api/handler";
import { PageQuery } from "~/.server/api/schemas";
import type { Route } from "./+types/api.v1.conversations.$conversationId.messages";

export const loader = endpoint<Route.LoaderArgs["params"]>(async ({ user, params, request }) => {
  const { cursor } = readQuery(request, PageQuery);
  const conversation = await visibleConversation(user, params.conversationId);
  return { status: 200, body: await listMessages(user, conversation, cursor) };
});

export const action = methodNotAllowed("GET");
