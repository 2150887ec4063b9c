import { z } from "zod";
import type { TokenScope } from "~/lib/api-token-schemas";
import { PROBLEM_CONTENT_TYPE } from "../platform/problem";
import { API_BODY_LIMIT } from "../platform/edge/body";
import { API_REQUESTS_PER_TOKEN } from "./auth";
import { IDEMPOTENCY_WINDOW_HOURS } from "./idempotency";
import * as Schemas from "./schemas";

/**
 * The OpenAPI 3.1 document at /api/v1/openapi.json, built from the schemas
 * the handlers parse with (schemas.ts) by zod's own JSON Schema output, which
 * is the dialect OpenAPI 3.1 speaks. Each operation lists the problems it can
 * answer; the integration tests check the document against the OpenAPI 3.1
 * schema and against the routes React Router has under /api/v1.
 */

type Method = "get" | "post" | "patch";

type Operation = {
  method: Method;
  path: string;
  summary: string;
  scope: TokenScope;
  query?: z.ZodObject;
  idempotent?: boolean;
  body?: z.ZodType;
  ok: { status: number; description: string; schema: z.ZodType };
  /** Statuses beyond those every authenticated call may answer (401, 429). */
  problems: number[];
};

const conversationId = {
  name: "conversationId",
  in: "path",
  required: true,
  schema: { type: "string", format: "uuid" },
};

export const OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/api/v1/conversations",
    summary: "List conversations, newest activity first (searched: best match first), with the inbox's filters.",
    scope: "read",
    query: Schemas.ConversationListQuery,
    ok: { status: 200, description: "One page", schema: Schemas.ConversationList },
    problems: [400],
  },
  {
    method: "get",
    path: "/api/v1/conversations/{conversationId}",
    summary: "One conversation.",
    scope: "read",
    ok: { status: 200, description: "The conversation", schema: Schemas.Conversation },
    problems: [404],
  },
  {
    method: "patch",
    path: "/api/v1/conversations/{conversationId}",
    summary: "Assign, resolve or reopen, and set the labels of a conversation (agents and admins).",
    scope: "read+send",
    body: Schemas.UpdateConversationRequest,
    ok: { status: 200, description: "The conversation after the change", schema: Schemas.Conversation },
    problems: [400, 403, 404, 413, 415, 422],
  },
  {
    method: "get",
    path: "/api/v1/conversations/{conversationId}/messages",
    summary: "A conversation's messages: the newest page first, each page oldest first. Marks nothing read.",
    scope: "read",
    query: Schemas.PageQuery,
    ok: { status: 200, description: "One page", schema: Schemas.MessageList },
    problems: [400, 404],
  },
  {
    method: "post",
    path: "/api/v1/messages",
    summary:
      "Send an SMS: a reply (`conversationId`), or the first message to a contact (`to` and `from`, agents and admins). " +
      "It is stored and queued at once and goes out through the outbox; follow its `status` on the thread.",
    scope: "read+send",
    idempotent: true,
    body: Schemas.SendMessageRequest,
    ok: { status: 201, description: "Stored and queued", schema: Schemas.SentMessage },
    problems: [400, 403, 404, 409, 413, 415, 422],
  },
  {
    method: "get",
    path: "/api/v1/numbers",
    summary: "Our numbers, archived ones included; `from` of a new conversation is one of them.",
    scope: "read",
    ok: { status: 200, description: "Every number", schema: Schemas.NumberList },
    problems: [],
  },
];

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: "The request is malformed: `errors` points at each problem.",
  401: "No token, or one that is unknown, revoked or expired (cookies are not accepted).",
  403: "The token may only read, or its user's role may not do this.",
  404: "No such conversation, or not one the token's user may see.",
  409: "The contact opted out (STOP), or a request with this Idempotency-Key is still under way (retry).",
  413: `The body is larger than ${API_BODY_LIMIT / 1024} KiB.`,
  415: "The body is not JSON.",
  422: "Understood but refused: `errors` says which field, or the Idempotency-Key was used for another request.",
  429: `Too many requests: ${API_REQUESTS_PER_TOKEN.max} a minute per token, and the reply limits per sender and conversation.`,
};

const retryAfter = {
  "Retry-After": { description: "Seconds to wait before trying again.", schema: { type: "integer" } },
};

// Named schemas, each once under components; the others are written out where they are used.
const COMPONENTS: Record<string, z.ZodType> = {
  Conversation: Schemas.Conversation,
  ConversationSummary: Schemas.ConversationSummary,
  ConversationList: Schemas.ConversationList,
  Message: Schemas.Message,
  MessageList: Schemas.MessageList,
  Label: Schemas.Label,
  Number: Schemas.OurNumber,
  NumberList: Schemas.NumberList,
  SentMessage: Schemas.SentMessage,
  SendMessageRequest: Schemas.SendMessageRequest,
  UpdateConversationRequest: Schemas.UpdateConversationRequest,
  Problem: Schemas.ProblemDocument,
};

type JsonSchema = Record<string, unknown>;

/** A component's or parameter's JSON Schema, without the `$schema`/`$id` a standalone document carries. */
function bare({ $schema: _schema, $id: _id, ...schema }: JsonSchema): JsonSchema {
  return schema;
}

function components() {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id });
  // Requests are read as sent (defaults optional), answers as written.
  const convert = (io: "input" | "output") =>
    z.toJSONSchema(registry, { io, uri: (id) => `#/components/schemas/${id}`, unrepresentable: "any" }).schemas;
  const [input, output] = [convert("input"), convert("output")];
  const requests = new Set(OPERATIONS.flatMap((operation) => (operation.body ? [operation.body] : [])));
  return Object.fromEntries(
    Object.entries(COMPONENTS).map(([id, schema]) => [id, bare((requests.has(schema) ? input : output)[id]!)]),
  );
}

const refTo = (schema: z.ZodType) => {
  const id = Object.entries(COMPONENTS).find(([, component]) => component === schema)?.[0];
  if (!id) throw new Error("An operation's request or answer must be one of the named components.");
  return { $ref: `#/components/schemas/${id}` };
};

function parametersOf(operation: Operation) {
  const path = operation.path.includes("{conversationId}") ? [conversationId] : [];
  const query = Object.entries(operation.query?.shape ?? {}).map(([name, schema]) => {
    const json = bare(z.toJSONSchema(schema as z.ZodType, { io: "input" }) as JsonSchema);
    const { description, ...rest } = json;
    return { name, in: "query", required: false, description, schema: rest };
  });
  const idempotency = operation.idempotent
    ? [
        {
          name: "Idempotency-Key",
          in: "header",
          required: false,
          description:
            `Repeats with the same key (per user) within ${IDEMPOTENCY_WINDOW_HOURS} hours get the first answer and send nothing. ` +
            "The same key with another body is a 422. Use a new UUID per message.",
          schema: { type: "string", minLength: 1, maxLength: 255 },
        },
      ]
    : [];
  return [...path, ...query, ...idempotency];
}

function responsesOf(operation: Operation) {
  const problem = (status: number) => ({
    description: PROBLEM_DESCRIPTIONS[status],
    ...(status === 429 || status === 409 ? { headers: retryAfter } : {}),
    content: { [PROBLEM_CONTENT_TYPE]: { schema: refTo(Schemas.ProblemDocument) } },
  });
  return {
    [operation.ok.status]: {
      description: operation.ok.description,
      content: { "application/json": { schema: refTo(operation.ok.schema) } },
    },
    ...Object.fromEntries(
      [401, ...operation.problems, 429].sort((a, b) => a - b).map((status) => [status, problem(status)]),
    ),
  };
}

export function openApiDocument(): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const operation of OPERATIONS) {
    (paths[operation.path] ??= {})[operation.method] = {
      operationId: `${operation.method}${operation.path.replace(/\/api\/v1|[{}]/g, "").replace(/\/(\w)/g, (_, c: string) => c.toUpperCase())}`,
      summary: operation.summary,
      description: `Token scope: \`${operation.scope}\`.`,
      security: [{ bearer: [] }],
      parameters: parametersOf(operation),
      ...(operation.body && {
        requestBody: { required: true, content: { "application/json": { schema: refTo(operation.body) } } },
      }),
      responses: responsesOf(operation),
    };
  }
  paths["/api/v1/openapi.json"] = {
    get: {
      operationId: "getOpenApi",
      summary: "This document.",
      security: [],
      responses: { 200: { description: "The OpenAPI 3.1 document", content: { "application/json": {} } } },
    },
  };
  return {
    openapi: "3.1.0",
    info: {
      title: "Birdline API",
      version: "1",
      description:
        "A team inbox for SMS. Every request carries `Authorization: Bearer <token>` (create one at /settings/tokens) " +
        "and acts as the token's user, with that user's access: a member's token sees only their own conversations. " +
        "Cookies are not accepted. Errors are RFC 9457 problem documents (`application/problem+json`).",
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "A `bl_…` access token." } },
      schemas: components(),
    },
    paths,
  };
}
