import { z } from "zod";

// The /settings/notifications form, checked in the browser and again on the server, and what a push carries.

const checkbox = z
  .literal("on")
  .optional()
  .transform((value) => value === "on");

export const NotificationSettingsSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("preferences"),
    newConversation: checkbox,
    assignedToMe: checkbox,
    unassigned: checkbox,
    hideText: checkbox,
  }),
  z.object({ intent: z.literal("remove-device"), deviceId: z.string().max(64) }),
  z.object({ intent: z.literal("test") }),
]);

/** A push's text as the service worker shows it. */
export type PushNotification = {
  title: string;
  body: string;
  /** A newer push with the same tag replaces the older one: one notification per conversation. */
  tag: string;
  /** Opened on click. */
  url: string;
  /** The app badge's number. */
  unread: number;
};

/** How much of the message a notification shows. */
export const PUSH_PREVIEW_LENGTH = 120;
