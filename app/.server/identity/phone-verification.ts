import { createHmac, randomInt, timingSafeEqual } from "node:crypto";
import { and, desc, eq, isNull, ne, sql } from "drizzle-orm";
import { callingCodeOf, parseUserPhone } from "~/lib/phone";
import { db } from "../platform/db/client";
import { conversations, phoneVerifications, users } from "../platform/db/schema";
import { env } from "../platform/env";
import { log } from "../platform/log";
import { checkLimit, clearLimit, describeWait, hitLimit, takeLimits, type Limit } from "../platform/rate-limit";
import { defaultSender } from "../sms/numbers";
import { attemptCodeSms, codeSmsFields, queueCodeSms } from "./code-sms";
import { isUniqueViolation } from "../platform/db/unique-violation";

/**
 * Proving a member owns a phone number. Only after this is any SMS
 * tied to their account: the verified number becomes `users.phoneNumber` and
 * the conversation with that number becomes theirs.
 *
 * Functions return typed results instead of throwing for anything a person
 * can fix, so `/settings/phone` can show them as field errors.
 */

export const CODE_LENGTH = 6;
export const CODE_TTL_MS = 10 * 60_000;
export const MAX_ATTEMPTS = 5;

const perMinute = (who: string): Limit => ({ name: `phone-code:${who}:minute`, max: 1, windowMs: 60_000 });
const perHour = (who: string): Limit => ({ name: `phone-code:${who}:hour`, max: 5, windowMs: 60 * 60_000 });

/**
 * Resend limits, per user so one account cannot spam and per number so many
 * accounts cannot bomb one phone. Exported so support tools (and tests) can
 * clear a counter with `clearLimit`.
 */
export const CODE_LIMITS = {
  userPerMinute: perMinute("user"),
  userPerHour: perHour("user"),
  numberPerMinute: perMinute("number"),
  numberPerHour: perHour("number"),
};

const HOUR = 60 * 60_000;

/**
 * Ceilings on verification SMS from the whole app, in all and per country
 * calling code, against SMS pumping: bots requesting codes for premium-rate
 * numbers whose operator pays the attacker per message. Per-member and
 * per-number limits cannot stop many accounts each texting fresh numbers.
 */
export const VERIFICATION_SMS_CAPS = {
  all: { name: "verification-sms", max: env.smsCodesPerHour, windowMs: HOUR },
  perCountry: { name: "verification-sms-country", max: env.smsCodesPerCountryHour, windowMs: HOUR },
} satisfies Record<string, Limit>;

/**
 * Takes one SMS from both ceilings, or neither (so refusals use up nothing);
 * the sentence for the person when a ceiling is reached.
 */
async function takeSmsBudget(phoneNumber: string) {
  const country = callingCodeOf(phoneNumber);
  const refusal = await takeLimits([
    [VERIFICATION_SMS_CAPS.all, "all"],
    [VERIFICATION_SMS_CAPS.perCountry, country],
  ]);
  if (!refusal) return null;
  const wait = describeWait(refusal.retryAfterSeconds);
  const message = (await checkLimit(VERIFICATION_SMS_CAPS.perCountry, country)).limited
    ? `Birdline has sent as many codes to ${country} numbers as it may this hour. Please try again in ${wait}.`
    : `Birdline has sent as many verification codes as it may this hour. Please try again in ${wait}.`;
  return { message, retryAfterSeconds: refusal.retryAfterSeconds };
}

/** For requests that sent nothing: the next try need not wait a minute (the hourly count stays). */
function forgetMinuteLimits(userId: string, phoneNumber: string) {
  return Promise.all([
    clearLimit(CODE_LIMITS.userPerMinute, userId),
    clearLimit(CODE_LIMITS.numberPerMinute, phoneNumber),
  ]);
}

function resendLimits(userId: string, phoneNumber: string): [Limit, string][] {
  return [
    [CODE_LIMITS.userPerMinute, userId],
    [CODE_LIMITS.userPerHour, userId],
    [CODE_LIMITS.numberPerMinute, phoneNumber],
    [CODE_LIMITS.numberPerHour, phoneNumber],
  ];
}

export type FieldError<F extends string> = { ok: false; field: F; message: string };

export type SendCodeResult =
  { ok: true; phoneNumber: string; expiresAt: Date } | (FieldError<"phoneNumber"> & { retryAfterSeconds?: number });

export type VerifyCodeResult = { ok: true; phoneNumber: string; conversationId: string } | FieldError<"code">;

export type PhoneStatus = {
  /** The verified number, E.164, or null. */
  phoneNumber: string | null;
  phoneVerifiedAt: Date | null;
  /** A code that was sent (or is waiting on the provider: why) and can still be entered. */
  pending: { phoneNumber: string; expiresAt: Date; attemptsLeft: number; waiting: string | null } | null;
};

/** What `/settings/phone` shows: the verified number and any code still waiting to be entered. */
export async function getPhoneStatus(userId: string): Promise<PhoneStatus> {
  const [user] = await db
    .select({ phoneNumber: users.phoneNumber, phoneVerifiedAt: users.phoneVerifiedAt })
    .from(users)
    .where(eq(users.id, userId));
  const open = await openVerification(userId);
  const usable = open && open.expiresAt > new Date() && open.attempts < MAX_ATTEMPTS;
  return {
    phoneNumber: user?.phoneNumber ?? null,
    phoneVerifiedAt: user?.phoneVerifiedAt ?? null,
    pending: usable
      ? {
          phoneNumber: open.phoneNumber,
          expiresAt: open.expiresAt,
          attemptsLeft: MAX_ATTEMPTS - open.attempts,
          waiting: open.sendStatus === "queued" ? (open.sendError ?? "Sending…") : null,
        }
      : null,
  };
}

/**
 * Sends a fresh 6-digit code to `phoneNumber` (any common format; numbers
 * without a country code use DEFAULT_COUNTRY). A new code replaces any earlier
 * one. The member's current verified number, if any, stays theirs until the
 * new one is verified.
 */
export async function sendVerificationCode({
  userId,
  phoneNumber: input,
}: {
  userId: string;
  phoneNumber: string;
}): Promise<SendCodeResult> {
  const refuse = (message: string, retryAfterSeconds?: number): SendCodeResult => ({
    ok: false,
    field: "phoneNumber",
    message,
    retryAfterSeconds,
  });

  const phoneNumber = parseUserPhone(input, env.defaultCountry);
  if (!phoneNumber) return refuse("Enter a valid phone number, e.g. +31 6 12345678.");

  const [current] = await db.select({ phoneNumber: users.phoneNumber }).from(users).where(eq(users.id, userId));
  if (current?.phoneNumber === phoneNumber) return refuse("This number is already verified on your account.");

  const [owner] = await db.select({ id: users.id }).from(users).where(eq(users.phoneNumber, phoneNumber));
  // A taken number is sent nothing, so only the member's own limits apply. They
  // are counted before the answer is given: "is this number taken?" costs a try.
  const limits = resendLimits(userId, phoneNumber).filter(([, subject]) => !owner || subject === userId);

  // Look first, so a refused click does not eat into the hourly budget; then count
  // atomically, which is what actually holds when two requests race.
  for (const pass of [checkLimit, hitLimit]) {
    const states = await Promise.all(limits.map(([limit, subject]) => pass(limit, subject)));
    const wait = Math.max(0, ...states.filter((s) => s.limited).map((s) => s.retryAfterSeconds));
    if (wait > 0) return refuse(`Please wait ${describeWait(wait)} before requesting another code.`, wait);
  }

  if (owner) {
    // A typo should not cost a minute's wait; the hourly count still caps how many numbers can be probed.
    await clearLimit(CODE_LIMITS.userPerMinute, userId);
    return refuse(NUMBER_TAKEN);
  }

  const capped = await takeSmsBudget(phoneNumber);
  if (capped) {
    await forgetMinuteLimits(userId, phoneNumber);
    return refuse(capped.message, capped.retryAfterSeconds);
  }

  const code = randomInt(0, 10 ** CODE_LENGTH)
    .toString()
    .padStart(CODE_LENGTH, "0");
  const expiresAt = new Date(Date.now() + CODE_TTL_MS);
  const text = `Your Birdline code is ${code}. It expires in ${CODE_TTL_MS / 60_000} minutes.`;
  const verification = await db.transaction(async (tx) => {
    // Only the newest code counts: older ones die so attempts cannot be spread over several codes.
    await tx
      .delete(phoneVerifications)
      .where(and(eq(phoneVerifications.userId, userId), isNull(phoneVerifications.consumedAt)));
    const [row] = await tx
      .insert(phoneVerifications)
      .values({
        userId,
        phoneNumber,
        codeHash: hashCode({ userId, phoneNumber, code }),
        expiresAt,
        ...codeSmsFields(text),
      })
      .returning({ id: phoneVerifications.id });
    await queueCodeSms(tx, row!.id);
    return row!;
  });

  const outcome = await attemptCodeSms(verification.id);
  if (outcome?.status === "failed") {
    await db.delete(phoneVerifications).where(eq(phoneVerifications.id, verification.id));
    // The SMS never left: do not make the member wait a minute to try again.
    await forgetMinuteLimits(userId, phoneNumber);
    return refuse(outcome.reason);
  }
  // Sent, or waiting on the provider: the worker keeps trying while the code is valid (the page says so).
  return { ok: true, phoneNumber, expiresAt };
}

/**
 * Checks the code from the SMS. Right code: the number becomes the member's
 * verified number and the conversation with it (messages received before they
 * signed up included) becomes theirs, all in one transaction. At most
 * {@link MAX_ATTEMPTS} tries per code, then a new code must be requested.
 */
export async function verifyPhoneCode({
  userId,
  code: input,
}: {
  userId: string;
  code: string;
}): Promise<VerifyCodeResult> {
  const refuse = (message: string): VerifyCodeResult => ({ ok: false, field: "code", message });

  const code = input.replace(/\s/g, "");
  if (!new RegExp(`^\\d{${CODE_LENGTH}}$`).test(code))
    return refuse(`Enter the ${CODE_LENGTH}-digit code from the SMS.`);

  const open = await openVerification(userId);
  if (!open) return refuse("There is no code waiting for you. Request a new code.");
  if (open.expiresAt <= new Date()) return refuse("This code has expired. Request a new code.");

  // Count the attempt before comparing, in one statement, so parallel guesses cannot exceed the limit.
  const [counted] = await db
    .update(phoneVerifications)
    .set({ attempts: sql`${phoneVerifications.attempts} + 1` })
    .where(
      and(
        eq(phoneVerifications.id, open.id),
        isNull(phoneVerifications.consumedAt),
        sql`${phoneVerifications.attempts} < ${MAX_ATTEMPTS}`,
      ),
    )
    .returning({ attempts: phoneVerifications.attempts });
  if (!counted) return refuse("Too many wrong codes. Request a new code.");

  const expected = Buffer.from(open.codeHash, "hex");
  const given = Buffer.from(hashCode({ userId, phoneNumber: open.phoneNumber, code }), "hex");
  if (!timingSafeEqual(expected, given)) {
    const left = MAX_ATTEMPTS - counted.attempts;
    log.info("wrong verification code", { userId, attemptsLeft: left });
    return refuse(
      left > 0
        ? `That code is not right. ${left} ${left === 1 ? "attempt" : "attempts"} left.`
        : "That code is not right, and that was the last attempt. Request a new code.",
    );
  }

  try {
    const conversationId = await claimNumber({ userId, verificationId: open.id, phoneNumber: open.phoneNumber });
    if (!conversationId) return refuse("This code has already been used. Request a new code.");
    log.info("phone number verified", { userId });
    return { ok: true, phoneNumber: open.phoneNumber, conversationId };
  } catch (error) {
    if (isUniqueViolation(error)) return refuse(NUMBER_TAKEN);
    throw error;
  }
}

/**
 * Forgets the member's verified number. Their conversation stays (agents and
 * the number's next verified owner still need its history) but is no longer
 * theirs, and no SMS reaches that phone on their behalf any more.
 */
export async function removePhoneNumber(userId: string): Promise<{ ok: true; removed: string | null }> {
  return db.transaction(async (tx) => {
    const [user] = await tx
      .select({ phoneNumber: users.phoneNumber })
      .from(users)
      .where(eq(users.id, userId))
      .for("update");
    await tx
      .delete(phoneVerifications)
      .where(and(eq(phoneVerifications.userId, userId), isNull(phoneVerifications.consumedAt)));
    await tx.update(conversations).set({ userId: null }).where(eq(conversations.userId, userId));
    await tx.update(users).set({ phoneNumber: null, phoneVerifiedAt: null }).where(eq(users.id, userId));
    return { ok: true as const, removed: user?.phoneNumber ?? null };
  });
}

// Says nothing about who owns the number, or whether it is anyone the member knows.
const NUMBER_TAKEN =
  "This number is already verified by another account. If it is yours, remove it there first, or contact support.";

/**
 * The ownership change itself. Returns the conversation id, or null when the
 * code was consumed concurrently. A number verified by someone else in the
 * meantime ends in the users.phone_number unique violation, which rolls all of
 * it back.
 */
async function claimNumber({
  userId,
  verificationId,
  phoneNumber,
}: {
  userId: string;
  verificationId: string;
  phoneNumber: string;
}) {
  return db.transaction(async (tx) => {
    const [consumed] = await tx
      .update(phoneVerifications)
      .set({ consumedAt: new Date() })
      .where(and(eq(phoneVerifications.id, verificationId), isNull(phoneVerifications.consumedAt)))
      .returning({ id: phoneVerifications.id });
    if (!consumed) return null;

    // Changing numbers: the old conversation goes back to unclaimed rather than
    // following the member, because its messages belong to the old phone.
    await tx
      .update(conversations)
      .set({ userId: null })
      .where(and(eq(conversations.userId, userId), ne(conversations.contactNumber, phoneNumber)));
    await tx.update(users).set({ phoneNumber, phoneVerifiedAt: new Date() }).where(eq(users.id, userId));

    // The unique number on users settles ownership; its conversations, on any
    // of our numbers, follow it, even if they still pointed at a former owner.
    await tx.update(conversations).set({ userId }).where(eq(conversations.contactNumber, phoneNumber));
    const [conversation] = await tx
      .insert(conversations)
      .values({ contactNumber: phoneNumber, virtualNumber: defaultSender(), userId })
      .onConflictDoUpdate({ target: [conversations.contactNumber, conversations.virtualNumber], set: { userId } })
      .returning({ id: conversations.id });
    return conversation!.id;
  });
}

async function openVerification(userId: string) {
  const [row] = await db
    .select()
    .from(phoneVerifications)
    .where(and(eq(phoneVerifications.userId, userId), isNull(phoneVerifications.consumedAt)))
    .orderBy(desc(phoneVerifications.createdAt))
    .limit(1);
  return row;
}

/**
 * Codes are stored as an HMAC keyed with AUTH_SECRET and bound to the member and
 * number: a leaked table (a million possible codes) cannot be brute-forced
 * offline, and a code cannot be replayed for another account or number.
 */
function hashCode({ userId, phoneNumber, code }: { userId: string; phoneNumber: string; code: string }) {
  return createHmac("sha256", env.authSecret)
    .update(`phone-verification\0${userId}\0${phoneNumber}\0${code}`)
    .digest("hex");
}
