import { expect } from "vitest";

/**
 * What a browser sees of an answer: a Response, a route call's Outcome, or a
 * page fetched by tests/support/browser.ts (the latter two carry `location`).
 */
type Answer = { status: number; location?: string | null; headers?: Headers };

const isAnswer = (value: unknown): value is Answer =>
  typeof value === "object" && value !== null && typeof (value as Answer).status === "number";
const locationOf = (answer: Answer) =>
  answer.location !== undefined ? answer.location : (answer.headers?.get("location") ?? null);
const describeAnswer = (answer: Answer) => `${answer.status}${locationOf(answer) ? ` → ${locationOf(answer)}` : ""}`;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

expect.extend({
  toHaveStatus(received: unknown, status: number) {
    if (!isAnswer(received))
      return {
        pass: false,
        message: () => `expected a Response, Outcome or Page, got ${this.utils.printReceived(received)}`,
      };
    return {
      pass: received.status === status,
      message: () => `expected status ${this.isNot ? "not " : ""}${status}, got ${describeAnswer(received)}`,
    };
  },
  toHaveRedirect(received: unknown, location?: string) {
    if (!isAnswer(received))
      return {
        pass: false,
        message: () => `expected a Response, Outcome or Page, got ${this.utils.printReceived(received)}`,
      };
    const redirected = REDIRECT_STATUSES.has(received.status) && locationOf(received) !== null;
    return {
      pass: redirected && (location === undefined || locationOf(received) === location),
      message: () =>
        `expected ${this.isNot ? "no " : "a "}redirect${location === undefined ? "" : ` to ${location}`}, got ${describeAnswer(received)}`,
    };
  },
});

declare module "vitest" {
  interface Matchers<T> {
    /** The answer has exactly this HTTP status. */
    toHaveStatus(status: number): T;
    /** The answer is a redirect (3xx with a Location), to `location` exactly when given. */
    toHaveRedirect(location?: string): T;
  }
}
