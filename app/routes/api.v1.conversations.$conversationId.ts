import { presentConversation, updateConversation, visibleConversation } from "~/.server/api/conversations";
import { endpoint, methodNotAllowed, readBody } from "~/.server/api/handler";
import { UpdateConversationRequest } from "~/.server/api/schemas";
import type { Route } from "./+types/api.v1.conversations.$conversationId";

export const loader = endpoint<Route.LoaderArgs["params"]>(async ({ user, params }) => ({
  status: 200,
  body: await presentConversation(user, await visibleConversation(user, params.conversationId)),
}));

const patch = endpoint<Route.ActionArgs["params"]>(
  async ({ user, params, request }) => {
    const conversation = await visibleConversation(user, params.conversationId);
    await updateConversation(user, conversation, await readBody(request, UpdateConversationRequest));
    return { status: 200, body: await presentConversation(user, await visibleConversation(user, conversation.id)) };
  },
  { scope: "read+send" },
);

export const action = (args: Route.ActionArgs) =>
  args.request.method === "PATCH" ? patch(args) : methodNotAllowed("GET", "PATCH")();
