import type { Limit } from "../platform/rate-limit";

const MINUTE = 60_000;

// Failed sign-ins only: a person who types the right password is never slowed down by their own successes.
export const LOGIN_FAILURES_PER_EMAIL: Limit = { name: "login-email", max: 10, windowMs: 15 * MINUTE };
export const LOGIN_FAILURES_PER_IP: Limit = { name: "login-ip", max: 30, windowMs: 15 * MINUTE };
// Every sign-up attempt, refused passwords included: each one costs a password-strength check.
export const REGISTRATIONS_PER_IP: Limit = { name: "register-ip", max: 5, windowMs: 60 * MINUTE };
