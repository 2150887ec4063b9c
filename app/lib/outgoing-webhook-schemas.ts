import { z } from "zod";

// The forms of /settings/webhooks, checked in the browser for instant feedback and on the server for the truth
// (which also checks the address: outgoing-webhooks/address-guard.ts).

export const WEBHOOK_EVENTS = [
  "message.received",
  "message.sent",
  "message.status",
  "conversation.assigned",
  "conversation.resolved",
] as const;

export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const WEBHOOK_EVENT_HINTS: Record<WebhookEvent, string> = {
  "message.received": "a contact’s SMS was stored",
  "message.sent": "a reply was handed to the SMS provider",
  "message.status": "a delivery report moved a reply on (delivered, failed, …)",
  "conversation.assigned": "a conversation was assigned to someone",
  "conversation.resolved": "a conversation was marked resolved",
};

export const URL_MAX = 2000;

const url = z
  .string({ error: "Enter the address to post events to, e.g. https://crm.example.com/hooks/birdline." })
  .trim()
  .max(URL_MAX, `Keep the address to ${URL_MAX} characters.`)
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
    message: "Enter a whole http:// or https:// address, e.g. https://crm.example.com/hooks/birdline.",
  });

const events = z
  .array(z.enum(WEBHOOK_EVENTS, { error: "Choose from the events listed." }), {
    error: "Choose at least one event.",
  })
  .min(1, "Choose at least one event.");

// Not checked for shape: an id that names nothing is a 404, however it is spelled.
const id = z.string().max(64);

export const WebhookEndpointSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("create"), url, events }),
  z.object({ intent: z.literal("update"), url, events, active: z.boolean().default(false) }),
  z.object({ intent: z.literal("rotate") }),
  z.object({ intent: z.literal("delete") }),
  z.object({ intent: z.literal("resend"), deliveryId: id }),
]);
