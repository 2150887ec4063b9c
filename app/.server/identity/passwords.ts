import { hash, verify } from "@node-rs/argon2";
import type { ZxcvbnFactory } from "@zxcvbn-ts/core";

// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane. `algorithm: 2` is
// Algorithm.Argon2id (a const enum the bundler cannot import).
const ARGON2ID = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string) => hash(password, ARGON2ID);

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// Verifying against this when the email is unknown makes both answers take as long.
const DUMMY_HASH = await hashPassword("not-a-real-password-only-for-timing");
export const burnPasswordCheck = (password: string) => verifyPassword(DUMMY_HASH, password);

// The word lists and the lookup tables built from them were half of an idle
// process's heap (22 of 44 MiB): loaded on the first password check, not at
// boot, so a process that only takes webhooks and serves the inbox never holds them.
let checker: Promise<ZxcvbnFactory> | undefined;
const passwordChecker = () =>
  (checker ??= Promise.all([
    import("@zxcvbn-ts/core"),
    import("@zxcvbn-ts/language-common"),
    import("@zxcvbn-ts/language-en"),
  ]).then(
    ([{ ZxcvbnFactory }, common, english]) =>
      new ZxcvbnFactory({
        dictionary: { ...common.dictionary, ...english.dictionary },
        graphs: common.adjacencyGraphs,
        translations: english.translations,
      }),
  ));

/** A helpful sentence when the password is common or guessable (zxcvbn score < 3), else null. */
export async function weakPasswordMessage(password: string, userInputs: string[]): Promise<string | null> {
  const result = (await passwordChecker()).check(password, [...userInputs, "birdline"]);
  if (result.score >= 3) return null;
  const why = result.feedback.warning ?? "This password is easy to guess.";
  const tip = result.feedback.suggestions[0] ?? "Try a few unrelated words together.";
  return `${why} ${tip}`.trim();
}
