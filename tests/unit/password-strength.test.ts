import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, test } from "vitest";
import { PASSWORD_CHECK_LENGTH, weakPasswordMessage } from "~/.server/identity/password-strength";

// Repeated keyboard and l33t patterns are zxcvbn's slowest inputs: at 128
// characters each took 0.5 to 1 s of CPU on the thread that runs it.
const SLOW_WEAK_PASSWORDS = ["p@ssw0rd1", "P4$$w0rd!", "1234567890"].map((unit) => unit.repeat(15).slice(0, 128));

describe("password strength", () => {
  test("common passwords get advice, strong ones pass", async () => {
    expect(await weakPasswordMessage("password123", [])).toMatch(/common|guess/i);
    expect(await weakPasswordMessage("sunny-otter-42-lamp", [])).toBeNull();
  });

  test(`only the first ${PASSWORD_CHECK_LENGTH} characters are judged: what comes after earns no credit`, async () => {
    const weakStart = "a".repeat(PASSWORD_CHECK_LENGTH);
    expect(await weakPasswordMessage(`${weakStart}Xq7#vLm2$Rk9!wZp4&Ty8*Nb3^Hd6@Jf1`, [])).not.toBeNull();
  });

  test("the server's thread keeps answering while long weak passwords are checked", async () => {
    let last = performance.now();
    let longestGap = 0;
    const ticks = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 10);
    const verdicts = await Promise.all(SLOW_WEAK_PASSWORDS.map((password) => weakPasswordMessage(password, [])));
    // One more turn, so a turn the checks held up is measured too.
    await sleep(50);
    clearInterval(ticks);
    expect(verdicts.every((verdict) => verdict !== null)).toBe(true);
    // Generous: on this thread one such check alone blocked it for 0.5 s or more.
    expect(longestGap).toBeLessThan(250);
  });
});
