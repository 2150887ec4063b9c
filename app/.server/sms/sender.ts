import { env } from "../platform/env";

/**
 * Our default MessageBird number (or alphanumeric sender): verification codes
 * come from it, new conversations start on it. The only reader of that setting:
 * everything else sends from the number its conversation is on.
 */
export const defaultSender = (): string => env.messagebird.senderId;
