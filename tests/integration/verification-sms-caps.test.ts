import { describe, expect, test, vi } from "vitest";
import { CODE_LIMITS, sendVerificationCode } from "~/.server/identity/phone-verification";
import { checkLimit } from "~/.server/platform/rate-limit";
import { useMessageBirdMock } from "../mocks/messagebird";
import { createUser, freshPhone } from "../support/factories";

// Small ceilings, read once when the app's env is first imported, after the setup's.
vi.hoisted(() => {
  process.env.SMS_CODES_PER_HOUR = "5";
  process.env.SMS_CODES_PER_COUNTRY_HOUR = "3";
});

useMessageBirdMock();

let belgian = 0;
const belgianPhone = () => `+3247${String(1_000_000 + ++belgian).slice(1)}1`;

const sendAsNewMember = async (phoneNumber: string) =>
  sendVerificationCode({ userId: (await createUser()).id, phoneNumber });

describe("ceilings on verification SMS (SMS pumping)", () => {
  test("per country calling code, then in all, each hour: the person is told why and how long to wait, and refusals cost no minute", async () => {
    const dutch = [];
    for (let i = 0; i < 4; i++) dutch.push(await sendAsNewMember(freshPhone()));
    expect(dutch.map((result) => result.ok)).toEqual([true, true, true, false]);
    expect(dutch[3]).toMatchObject({
      field: "phoneNumber",
      message: expect.stringMatching(
        /^Birdline has sent as many codes to \+31 numbers as it may this hour\. .* minutes\.$/,
      ),
      retryAfterSeconds: expect.any(Number),
    });

    // Another country still has room, until the app's ceiling is reached.
    const elsewhere = [];
    for (let i = 0; i < 3; i++) elsewhere.push(await sendAsNewMember(belgianPhone()));
    expect(elsewhere.map((result) => result.ok)).toEqual([true, true, false]);
    expect(elsewhere[2]).toMatchObject({
      message: expect.stringMatching(/^Birdline has sent as many verification codes as it may this hour\./),
    });

    // Refused, nothing was sent: the member need not wait a minute before trying again.
    const member = await createUser();
    const phoneNumber = freshPhone();
    expect(await sendVerificationCode({ userId: member.id, phoneNumber })).toMatchObject({ ok: false });
    expect((await checkLimit(CODE_LIMITS.userPerMinute, member.id)).count).toBe(0);
    expect((await checkLimit(CODE_LIMITS.numberPerMinute, phoneNumber)).count).toBe(0);
  });
});
