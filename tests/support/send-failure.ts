import { expect } from "vitest";
import { SmsSendError } from "~/.server/sms/gateway";

/** The SmsSendError a send rejects with; fails the test when it resolves or rejects with anything else. */
export async function sendFailure(sending: Promise<unknown>): Promise<SmsSendError> {
  const error = await sending.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SmsSendError);
  return error as SmsSendError;
}
