import type { Limit } from "../platform/rate-limit";

const MINUTE = 60_000;

// Every reply is an SMS the operator pays for. Someone answering by hand sends a
// few a minute at most, and a busy shift a couple of hundred an hour; a script,
// a stuck key or a stolen session would send far more.
export const REPLIES_PER_SENDER_PER_MINUTE: Limit = { name: "reply-sender-minute", max: 20, windowMs: MINUTE };
export const REPLIES_PER_SENDER_PER_HOUR: Limit = { name: "reply-sender-hour", max: 300, windowMs: 60 * MINUTE };
// One handset is not flooded, however many agents answer it at once.
export const REPLIES_PER_CONVERSATION: Limit = { name: "reply-conversation", max: 10, windowMs: MINUTE };
