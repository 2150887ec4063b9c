import { endpoint, methodNotAllowed, readBody } from "~/.server/api/handler";
import { idempotencyKeyOf, once } from "~/.server/api/idempotency";
import { sendMessage } from "~/.server/api/messages";
import { SendMessageRequest } from "~/.server/api/schemas";

export const loader = methodNotAllowed("POST");

export const action = endpoint(
  async ({ user, request }) => {
    const key = idempotencyKeyOf(request);
    const message = await readBody(request, SendMessageRequest);
    return once(user.id, key, message, (messageKey) => sendMessage(user, message, messageKey));
  },
  { scope: "read+send" },
);
