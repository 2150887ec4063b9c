/**
 * Recipient endings that make the simulator misbehave on purpose, so failure
 * paths can be tried in the browser without a MessageBird account. Four digits,
 * so nobody trips over them by accident. Shown on /dev/phone.
 */
export const SIMULATOR_SCENARIOS = [
  {
    suffix: "0009",
    label: "refused",
    description: "the send fails at once, like MessageBird's “invalid recipient” (not retryable)",
  },
  {
    suffix: "0500",
    label: "outage",
    description: "the first two attempts fail like a MessageBird outage; the outbox retries and the third goes out",
  },
  {
    suffix: "0013",
    label: "undeliverable",
    description: "the send is accepted, then a delivery_failed report arrives",
  },
] as const;

export type Scenario = (typeof SIMULATOR_SCENARIOS)[number]["label"];

/** Which failure a number plays on the simulator, if any: the handset page lists them, tests steer clear. */
export function scenarioFor(number: string): Scenario | undefined {
  return SIMULATOR_SCENARIOS.find(({ suffix }) => number.endsWith(suffix))?.label;
}
