import { and, desc, eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { db } from "~/.server/platform/db/client";
import { conversations, phoneVerifications, simulatedSms, users } from "~/.server/platform/db/schema";
import {
  CODE_LIMITS,
  getPhoneStatus,
  MAX_ATTEMPTS,
  removePhoneNumber,
  sendVerificationCode,
  verifyPhoneCode,
} from "~/.server/identity/phone-verification";
import { attemptCodeSms } from "~/.server/identity/code-sms";
import { clearLimit } from "~/.server/platform/rate-limit";
import { useMessageBirdMock } from "../mocks/messagebird";
import { createConversation, createMessage, createUser, freshPhone } from "../support/factories";

// The simulator is the active gateway: codes arrive in simulated_sms, and its
// delivery reports go to a status webhook that MSW answers.
useMessageBirdMock();

/** The code as the phone received it. */
async function codeSentTo(phoneNumber: string) {
  const [sms] = await db
    .select()
    .from(simulatedSms)
    .where(eq(simulatedSms.toNumber, phoneNumber))
    .orderBy(desc(simulatedSms.createdAt))
    .limit(1);
  return /\b(\d{6})\b/.exec(sms?.body ?? "")?.[1] ?? "";
}

/** A wrong code that is certainly not the right one. */
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

async function allowResend(userId: string, phoneNumber: string) {
  await clearLimit(CODE_LIMITS.userPerMinute, userId);
  await clearLimit(CODE_LIMITS.numberPerMinute, phoneNumber);
}

async function verified(userId: string, phoneNumber: string) {
  expect(await sendVerificationCode({ userId, phoneNumber })).toMatchObject({ ok: true });
  return verifyPhoneCode({ userId, code: await codeSentTo(phoneNumber) });
}

describe("phone verification", () => {
  test("a verified number attaches the conversation with messages received before sign-up", async () => {
    const user = await createUser();
    const phoneNumber = freshPhone();
    const earlier = await createConversation({ contact: phoneNumber });
    await createMessage(earlier, { body: "Hello, anyone there?" });

    // Typed the Dutch way, without country code: DEFAULT_COUNTRY=NL makes it E.164.
    const national = `0${phoneNumber.slice(3)}`;
    const sent = await sendVerificationCode({ userId: user.id, phoneNumber: national });
    expect(sent).toMatchObject({ ok: true, phoneNumber });
    const code = await codeSentTo(phoneNumber);
    expect(code).toMatch(/^\d{6}$/);
    expect((await getPhoneStatus(user.id)).pending).toMatchObject({ phoneNumber, attemptsLeft: MAX_ATTEMPTS });

    const result = await verifyPhoneCode({ userId: user.id, code: `${code.slice(0, 3)} ${code.slice(3)}` });

    expect(result).toEqual({ ok: true, phoneNumber, conversationId: earlier.id });
    const [after] = await db.select().from(users).where(eq(users.id, user.id));
    expect(after).toMatchObject({ phoneNumber, phoneVerifiedAt: expect.any(Date) });
    const [conversation] = await db.select().from(conversations).where(eq(conversations.id, earlier.id));
    expect(conversation!.userId).toBe(user.id);
    expect(await getPhoneStatus(user.id)).toMatchObject({ phoneNumber, pending: null });
  });

  test("verifying a number nobody has written from yet creates an empty conversation to start from", async () => {
    const user = await createUser();
    const phoneNumber = freshPhone();
    const result = await verified(user.id, phoneNumber);
    expect(result.ok).toBe(true);
    const [conversation] = await db.select().from(conversations).where(eq(conversations.contactNumber, phoneNumber));
    expect(conversation).toMatchObject({ userId: user.id, virtualNumber: "+447700900000" });
    expect(result).toMatchObject({ conversationId: conversation!.id });
  });

  test("five wrong codes kill the code, even the right one is refused afterwards", async () => {
    const user = await createUser();
    const phoneNumber = freshPhone();
    await sendVerificationCode({ userId: user.id, phoneNumber });
    const code = await codeSentTo(phoneNumber);

    const answers = [];
    for (let i = 0; i < MAX_ATTEMPTS; i++) answers.push(await verifyPhoneCode({ userId: user.id, code: wrong(code) }));
    expect(answers.map((a) => a.ok)).toEqual([false, false, false, false, false]);
    expect(answers[0]).toEqual({ ok: false, field: "code", message: "That code is not right. 4 attempts left." });
    expect(answers[3]).toMatchObject({ message: "That code is not right. 1 attempt left." });
    expect(answers[4]).toMatchObject({ message: expect.stringMatching(/last attempt\. Request a new code/) });

    expect(await verifyPhoneCode({ userId: user.id, code })).toEqual({
      ok: false,
      field: "code",
      message: "Too many wrong codes. Request a new code.",
    });
    expect((await getPhoneStatus(user.id)).pending).toBeNull();

    // A new code starts over.
    await allowResend(user.id, phoneNumber);
    expect(await verified(user.id, phoneNumber)).toMatchObject({ ok: true });
  });

  test("parallel guesses cannot exceed the attempt limit", async () => {
    const user = await createUser();
    const phoneNumber = freshPhone();
    await sendVerificationCode({ userId: user.id, phoneNumber });
    const code = await codeSentTo(phoneNumber);
    await Promise.all(Array.from({ length: 12 }, () => verifyPhoneCode({ userId: user.id, code: wrong(code) })));
    const [row] = await db.select().from(phoneVerifications).where(eq(phoneVerifications.userId, user.id));
    expect(row!.attempts).toBe(MAX_ATTEMPTS);
  });

  test("codes are stored only as a keyed hash, bound to member and number", async () => {
    const user = await createUser();
    const phoneNumber = freshPhone();
    await sendVerificationCode({ userId: user.id, phoneNumber });
    const code = await codeSentTo(phoneNumber);
    const rows = await db.select().from(phoneVerifications).where(eq(phoneVerifications.userId, user.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(code);

    // Another member cannot use the code that was sent to this member.
    const other = await createUser();
    expect(await verifyPhoneCode({ userId: other.id, code })).toMatchObject({ ok: false, field: "code" });
  });

  test("an expired code is refused", async () => {
    const user = await createUser();
    const phoneNumber = freshPhone();
    await sendVerificationCode({ userId: user.id, phoneNumber });
    await db
      .update(phoneVerifications)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(phoneVerifications.userId, user.id));
    expect(await verifyPhoneCode({ userId: user.id, code: await codeSentTo(phoneNumber) })).toEqual({
      ok: false,
      field: "code",
      message: "This code has expired. Request a new code.",
    });
  });

  test("only the newest code counts", async () => {
    const user = await createUser();
    const phoneNumber = freshPhone();
    await sendVerificationCode({ userId: user.id, phoneNumber });
    const first = await codeSentTo(phoneNumber);
    await allowResend(user.id, phoneNumber);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await sendVerificationCode({ userId: user.id, phoneNumber });
    const second = await codeSentTo(phoneNumber);
    if (first !== second) expect(await verifyPhoneCode({ userId: user.id, code: first })).toMatchObject({ ok: false });
    expect(await verifyPhoneCode({ userId: user.id, code: second })).toMatchObject({ ok: true });
  });

  test("resending is limited to one a minute per member and per number", async () => {
    const [alice, bob] = [await createUser(), await createUser()];
    const phoneNumber = freshPhone();
    expect(await sendVerificationCode({ userId: alice.id, phoneNumber })).toMatchObject({ ok: true });

    const again = await sendVerificationCode({ userId: alice.id, phoneNumber });
    expect(again).toMatchObject({
      ok: false,
      field: "phoneNumber",
      message: expect.stringMatching(/^Please wait \d+ seconds/),
    });
    expect(again.ok === false && again.retryAfterSeconds).toBeGreaterThan(50);

    // Another account cannot make the same phone buzz either…
    expect(await sendVerificationCode({ userId: bob.id, phoneNumber })).toMatchObject({
      ok: false,
      field: "phoneNumber",
    });
    // …and the member cannot hop to another number to get around it.
    expect(await sendVerificationCode({ userId: alice.id, phoneNumber: freshPhone() })).toMatchObject({ ok: false });
  });

  test("resending is limited to five an hour per member", async () => {
    const user = await createUser();
    const phoneNumber = freshPhone();
    const results = [];
    for (let i = 0; i < 6; i++) {
      results.push(await sendVerificationCode({ userId: user.id, phoneNumber }));
      await allowResend(user.id, phoneNumber);
    }
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true, true, false]);
    expect(results[5]).toMatchObject({ message: expect.stringMatching(/minutes before requesting another code/) });
  });

  test("resending is limited to five an hour per number, across accounts", async () => {
    const phoneNumber = freshPhone();
    const results = [];
    for (let i = 0; i < 6; i++) {
      const user = await createUser();
      results.push(await sendVerificationCode({ userId: user.id, phoneNumber }));
      await clearLimit(CODE_LIMITS.numberPerMinute, phoneNumber);
    }
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true, true, false]);
  });

  test("a number verified by another account is refused without saying whose it is", async () => {
    const owner = await createUser({ name: "Olivia Owner" });
    const phoneNumber = freshPhone();
    expect(await verified(owner.id, phoneNumber)).toMatchObject({ ok: true });

    const other = await createUser();
    const result = await sendVerificationCode({ userId: other.id, phoneNumber });
    expect(result).toMatchObject({
      ok: false,
      field: "phoneNumber",
      message: expect.stringMatching(/already verified by another account/),
    });
    expect(JSON.stringify(result)).not.toMatch(/Olivia|example\.com/);
    expect(await sendVerificationCode({ userId: owner.id, phoneNumber })).toMatchObject({
      ok: false,
      message: "This number is already verified on your account.",
    });
  });

  test("asking whether numbers are taken counts against the hourly limit", async () => {
    const prober = await createUser();
    const taken = [];
    for (let i = 0; i < 6; i++) {
      const owner = await createUser();
      const phoneNumber = freshPhone();
      expect(await verified(owner.id, phoneNumber)).toMatchObject({ ok: true });
      taken.push(phoneNumber);
    }
    const answers = [];
    for (const phoneNumber of taken) {
      answers.push((await sendVerificationCode({ userId: prober.id, phoneNumber })) as { message: string });
    }
    expect(answers.slice(0, 5).every((a) => /already verified by another account/.test(a.message))).toBe(true);
    expect(answers[5]!.message).toMatch(/Please wait/);
  });

  test("a code requested before someone else verified the number no longer works", async () => {
    const [alice, bob] = [await createUser(), await createUser()];
    const phoneNumber = freshPhone();
    await sendVerificationCode({ userId: bob.id, phoneNumber });
    const bobsCode = await codeSentTo(phoneNumber);
    await clearLimit(CODE_LIMITS.numberPerMinute, phoneNumber);
    expect(await verified(alice.id, phoneNumber)).toMatchObject({ ok: true });

    expect(await verifyPhoneCode({ userId: bob.id, code: bobsCode })).toMatchObject({
      ok: false,
      field: "code",
      message: expect.stringMatching(/already verified by another account/),
    });
    const [bobAfter] = await db.select().from(users).where(eq(users.id, bob.id));
    expect(bobAfter!.phoneNumber).toBeNull();
  });

  test("two members verifying one number at the same moment leave exactly one owner", async () => {
    const [alice, bob] = [await createUser(), await createUser()];
    const phoneNumber = freshPhone();
    await sendVerificationCode({ userId: alice.id, phoneNumber });
    const alicesCode = await codeSentTo(phoneNumber);
    await clearLimit(CODE_LIMITS.numberPerMinute, phoneNumber);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await sendVerificationCode({ userId: bob.id, phoneNumber });
    const bobsCode = await codeSentTo(phoneNumber);

    const results = await Promise.all([
      verifyPhoneCode({ userId: alice.id, code: alicesCode }),
      verifyPhoneCode({ userId: bob.id, code: bobsCode }),
    ]);

    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toMatchObject({
      field: "code",
      message: expect.stringMatching(/already verified by another account/),
    });
    const owners = await db.select().from(users).where(eq(users.phoneNumber, phoneNumber));
    expect(owners).toHaveLength(1);
    const [conversation] = await db.select().from(conversations).where(eq(conversations.contactNumber, phoneNumber));
    expect(conversation!.userId).toBe(owners[0]!.id);
  });

  test("changing the number hands the old conversation back and takes the new one", async () => {
    const user = await createUser();
    const [oldNumber, newNumber] = [freshPhone(), freshPhone()];
    expect(await verified(user.id, oldNumber)).toMatchObject({ ok: true });
    await clearLimit(CODE_LIMITS.userPerMinute, user.id);

    expect(await sendVerificationCode({ userId: user.id, phoneNumber: newNumber })).toMatchObject({ ok: true });
    // Until the new number is verified, the old one stays theirs.
    expect(await getPhoneStatus(user.id)).toMatchObject({
      phoneNumber: oldNumber,
      pending: { phoneNumber: newNumber },
    });
    expect(await verifyPhoneCode({ userId: user.id, code: await codeSentTo(newNumber) })).toMatchObject({ ok: true });

    const threads = await db.select().from(conversations).where(eq(conversations.userId, user.id));
    expect(threads.map((c) => c.contactNumber)).toEqual([newNumber]);
    const [old] = await db.select().from(conversations).where(eq(conversations.contactNumber, oldNumber));
    expect(old!.userId).toBeNull();
    // The old number is free for whoever holds that phone now.
    await clearLimit(CODE_LIMITS.numberPerMinute, oldNumber);
    const next = await createUser();
    expect(await verified(next.id, oldNumber)).toMatchObject({ ok: true, conversationId: old!.id });
  });

  test("removing the number detaches the conversation and forgets pending codes", async () => {
    const user = await createUser();
    const phoneNumber = freshPhone();
    await verified(user.id, phoneNumber);
    expect(await removePhoneNumber(user.id)).toEqual({ ok: true, removed: phoneNumber });
    expect(await getPhoneStatus(user.id)).toEqual({ phoneNumber: null, phoneVerifiedAt: null, pending: null });
    const [conversation] = await db.select().from(conversations).where(eq(conversations.contactNumber, phoneNumber));
    expect(conversation!.userId).toBeNull();
  });

  test("bad input and unsendable numbers come back as field errors", async () => {
    const user = await createUser();
    expect(await sendVerificationCode({ userId: user.id, phoneNumber: "12" })).toMatchObject({
      ok: false,
      field: "phoneNumber",
    });
    expect(await verifyPhoneCode({ userId: user.id, code: "12ab" })).toEqual({
      ok: false,
      field: "code",
      message: "Enter the 6-digit code from the SMS.",
    });
    expect(await verifyPhoneCode({ userId: user.id, code: "123456" })).toMatchObject({
      message: expect.stringMatching(/no code waiting/),
    });

    // The simulator refuses numbers ending in 0009 like MessageBird refuses a bad recipient.
    const refused = await sendVerificationCode({ userId: user.id, phoneNumber: "+31612340009" });
    expect(refused).toMatchObject({
      ok: false,
      field: "phoneNumber",
      message: expect.stringMatching(/cannot receive SMS/),
    });
    expect(
      await db
        .select()
        .from(phoneVerifications)
        .where(and(eq(phoneVerifications.userId, user.id))),
    ).toEqual([]);
    // The SMS never left, so the member may try again straight away.
    expect(await sendVerificationCode({ userId: user.id, phoneNumber: freshPhone() })).toMatchObject({ ok: true });
  });

  test("a code the provider cannot take right now waits, is said to be waiting, and goes out on a later attempt", async () => {
    const user = await createUser();
    // The simulator plays an outage on numbers ending in 0500: two attempts fail, the third goes out.
    const phoneNumber = "+31612340500";
    expect(await sendVerificationCode({ userId: user.id, phoneNumber })).toMatchObject({ ok: true });
    expect((await getPhoneStatus(user.id)).pending).toMatchObject({
      phoneNumber,
      waiting: "MessageBird unreachable (simulated).",
    });
    expect(await codeSentTo(phoneNumber)).toBe("");
    const [row] = await db.select().from(phoneVerifications).where(eq(phoneVerifications.userId, user.id));
    // The code is stored sealed, never as plain text, while it waits.
    expect(row!.sealedText).not.toMatch(/\d{6}/);

    expect(await attemptCodeSms(row!.id)).toMatchObject({ status: "waiting" });
    expect(await attemptCodeSms(row!.id)).toEqual({ status: "sent" });
    expect((await getPhoneStatus(user.id)).pending).toMatchObject({ waiting: null });
    const code = await codeSentTo(phoneNumber);
    expect(code).toMatch(/^\d{6}$/);
    expect(await verifyPhoneCode({ userId: user.id, code })).toMatchObject({ ok: true });
    const [sent] = await db.select().from(phoneVerifications).where(eq(phoneVerifications.id, row!.id));
    expect(sent).toMatchObject({ sealedText: null, sendStatus: "sent", sendAttempts: 3 });
  });
});
