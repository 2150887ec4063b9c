import { checkLimit, clearLimit, hitLimit, unhitLimit, type Limit, type LimitState } from "../platform/rate-limit";

const MINUTE = 60_000;

/*
 * Failed sign-ins are counted three ways. A hard limit per account would let
 * anyone lock anyone out, the only admin included, just by typing wrong
 * passwords for their email; so the hard limits are per address, and across
 * addresses an account's failures only slow guessing down.
 */

/** One address guessing one account's password: it alone is stopped. */
export const LOGIN_FAILURES_PER_ADDRESS_AND_EMAIL: Limit = { name: "login-email-ip", max: 10, windowMs: 15 * MINUTE };

/** One address trying many accounts (password spraying). */
export const LOGIN_FAILURES_PER_IP: Limit = { name: "login-ip", max: 30, windowMs: 15 * MINUTE };

/**
 * Many addresses guessing one account. Past `max` in the window, attempts
 * from anywhere the account has not signed in from lately take turns, one
 * attempt a turn: 1 s after the 11th attempt, twice as long with each attempt
 * after it (refused ones too), up to a minute. A botnet then gets about 70
 * guesses an hour at an account (a password zxcvbn accepts takes ~10^8), while
 * its owner is at worst asked to wait a minute, and not at all from where they
 * signed in lately.
 */
export const LOGIN_FAILURES_PER_EMAIL: Limit = { name: "login-email", max: 10, windowMs: 60 * MINUTE };

const LONGEST_TURN_MS = MINUTE;

const turnAfter = (failures: number): Limit => ({
  name: "login-email-turn",
  max: 1,
  windowMs: Math.min(1000 * 2 ** (failures - LOGIN_FAILURES_PER_EMAIL.max - 1), LONGEST_TURN_MS),
});

// Where an account signed in lately: a marker, not a limit (it never refuses).
const KNOWN_ADDRESS: Limit = { name: "login-known", max: Number.POSITIVE_INFINITY, windowMs: 30 * 24 * 60 * MINUTE };

const pairOf = (email: string, ip: string) => `${email} ${ip}`;

/**
 * Counts a sign-in attempt before the password is checked, so concurrent
 * guesses cannot slip past; `signedIn` takes a successful one back, so only
 * failures add up. Returns the refusal, if any.
 */
export async function countSignInAttempt(email: string, ip: string): Promise<LimitState | null> {
  const pair = pairOf(email, ip);
  const [known, fromHere, fromAddress, forAccount] = await Promise.all([
    checkLimit(KNOWN_ADDRESS, pair),
    hitLimit(LOGIN_FAILURES_PER_ADDRESS_AND_EMAIL, pair),
    hitLimit(LOGIN_FAILURES_PER_IP, ip),
    hitLimit(LOGIN_FAILURES_PER_EMAIL, email),
  ]);
  const refused = [fromHere, fromAddress].find((state) => state.limited);
  if (refused) return refused;
  if (!forAccount.limited || known.count > 0) return null;
  const turn = await hitLimit(turnAfter(forAccount.count), email);
  return turn.limited ? turn : null;
}

/** Remembers where an account signed in, so guesses from elsewhere never slow its owner down there. */
export const rememberSignInAddress = (email: string, ip: string) => hitLimit(KNOWN_ADDRESS, pairOf(email, ip));

/** After the right password: this address starts afresh, and the attempt is no failure. */
export async function signedIn(email: string, ip: string): Promise<void> {
  await Promise.all([
    clearLimit(LOGIN_FAILURES_PER_ADDRESS_AND_EMAIL, pairOf(email, ip)),
    unhitLimit(LOGIN_FAILURES_PER_IP, ip),
    unhitLimit(LOGIN_FAILURES_PER_EMAIL, email),
    rememberSignInAddress(email, ip),
  ]);
}

// Every sign-up attempt, refused passwords included: each one costs a password-strength check.
export const REGISTRATIONS_PER_IP: Limit = { name: "register-ip", max: 5, windowMs: 60 * MINUTE };
