import { describe, expect, test } from "vitest";
import { ConfigError, parseEnv } from "~/.server/platform/env";

const memory = { DATA_DIR: "memory://" };

function problemsOf(source: Record<string, string>) {
  try {
    parseEnv(source);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("configuration", () => {
  test("zero configuration is a working local setup: simulator, generated secrets, embedded database", () => {
    const env = parseEnv(memory);
    expect(env).toMatchObject({
      mode: "local",
      smsGateway: "simulator",
      databaseUrl: undefined,
      port: 3000,
      secureCookies: false,
    });
    // Only this machine can reach a local-mode server (its handset page shows every code).
    expect(env.host).toBe("127.0.0.1");
    expect(env.authSecret.length).toBeGreaterThanOrEqual(32);
    expect(env.messagebird.webhookSecret?.length).toBeGreaterThanOrEqual(16);
  });

  test("a DATABASE_URL that is not a URL names the variable and not its value", () => {
    const message = problemsOf({ ...memory, DATABASE_URL: "not-a-url" });
    expect(message).toContain("DATABASE_URL");
    expect(message).not.toContain("not-a-url");
  });

  test("lists every bad variable at once", () => {
    const message = problemsOf({ ...memory, PORT: "eighty", DEFAULT_COUNTRY: "XX", AUTH_SECRET: "short" });
    expect(message).toMatch(/PORT/);
    expect(message).toMatch(/DEFAULT_COUNTRY/);
    expect(message).toMatch(/AUTH_SECRET: must be at least 32/);
    expect(message).not.toContain("short\n");
  });

  test("deployed mode refuses missing secrets, an accidental simulator and unauthenticated webhooks", () => {
    const message = problemsOf({ ...memory, APP_URL: "https://sms.example.com" });
    expect(message).toMatch(/AUTH_SECRET: required/);
    expect(message).toMatch(/MESSAGEBIRD_API_KEY: required/);
    expect(message).toMatch(/MESSAGEBIRD_WEBHOOK_SECRET or MESSAGEBIRD_SIGNING_KEY/);
  });

  test("deployed mode with everything set uses MessageBird and secure cookies", () => {
    const env = parseEnv({
      ...memory,
      APP_URL: "https://sms.example.com",
      AUTH_SECRET: "x".repeat(32),
      MESSAGEBIRD_API_KEY: "live_abc",
      MESSAGEBIRD_SENDER_ID: "+31970102030",
      MESSAGEBIRD_SIGNING_KEY: "signing",
    });
    expect(env).toMatchObject({ mode: "deployed", smsGateway: "messagebird", secureCookies: true, host: "0.0.0.0" });
    expect(env.messagebird.webhookSecret).toBeUndefined();
  });

  test("the simulator can be chosen on purpose in deployed mode", () => {
    const env = parseEnv({
      ...memory,
      APP_URL: "https://demo.example.com",
      AUTH_SECRET: "x".repeat(32),
      SMS_GATEWAY: "simulator",
      MESSAGEBIRD_WEBHOOK_SECRET: "s".repeat(16),
    });
    expect(env.smsGateway).toBe("simulator");
  });

  test("outgoing webhooks: public https only when deployed, this machine too in local mode, anything with WEBHOOK_ALLOW_PRIVATE=1", () => {
    const deployed = {
      ...memory,
      APP_URL: "https://demo.example.com",
      AUTH_SECRET: "x".repeat(32),
      SMS_GATEWAY: "simulator",
      MESSAGEBIRD_WEBHOOK_SECRET: "s".repeat(16),
    };
    expect(parseEnv(deployed).outgoingWebhooks).toEqual({
      allowPrivate: false,
      allowLoopback: false,
      requireHttps: true,
    });
    expect(parseEnv(memory).outgoingWebhooks).toEqual({
      allowPrivate: false,
      allowLoopback: true,
      requireHttps: false,
    });
    expect(parseEnv({ ...deployed, WEBHOOK_ALLOW_PRIVATE: "1" }).outgoingWebhooks).toEqual({
      allowPrivate: true,
      allowLoopback: true,
      requireHttps: false,
    });
    expect(problemsOf({ ...memory, WEBHOOK_ALLOW_PRIVATE: "yes" })).toMatch(/WEBHOOK_ALLOW_PRIVATE: must be 1/);
  });

  test("empty strings count as unset, AUTH_URL is an alias of APP_URL", () => {
    const env = parseEnv({ ...memory, DATABASE_URL: "", AUTH_URL: "http://127.0.0.1:4000" });
    expect(env.databaseUrl).toBeUndefined();
    expect(env.appUrl.href).toBe("http://127.0.0.1:4000/");
    expect(env.mode).toBe("local");
  });

  test("SMS code ceilings: 100 an hour in all and 30 per country calling code unless set; whole numbers of at least 1", () => {
    expect(parseEnv(memory)).toMatchObject({ smsCodesPerHour: 100, smsCodesPerCountryHour: 30 });
    expect(parseEnv({ ...memory, SMS_CODES_PER_HOUR: "500", SMS_CODES_PER_COUNTRY_HOUR: "50" })).toMatchObject({
      smsCodesPerHour: 500,
      smsCodesPerCountryHour: 50,
    });
    const message = problemsOf({
      ...memory,
      SMS_CODES_PER_HOUR: "0",
      SMS_CODES_PER_COUNTRY_HOUR: "lots",
    });
    expect(message).toMatch(/SMS_CODES_PER_HOUR:/);
    expect(message).toMatch(/SMS_CODES_PER_COUNTRY_HOUR:/);
  });

  test("the away message goes out at most once a day per conversation unless AWAY_REPLY_EVERY says how many hours", () => {
    expect(parseEnv(memory).awayReplyEveryMs).toBe(24 * 3_600_000);
    expect(parseEnv({ ...memory, AWAY_REPLY_EVERY: "8" }).awayReplyEveryMs).toBe(8 * 3_600_000);
    for (const bad of ["0", "1.5", "forever"])
      expect(problemsOf({ ...memory, AWAY_REPLY_EVERY: bad })).toMatch(/AWAY_REPLY_EVERY:/);
  });

  test("listening beyond loopback is deployed mode, and then APP_URL is required", () => {
    const message = problemsOf({ ...memory, HOST: "0.0.0.0" });
    expect(message).toMatch(/APP_URL: required when HOST \(0\.0\.0\.0\) is not a loopback address/);
    expect(parseEnv({ ...memory, HOST: "127.0.0.1" }).mode).toBe("local");
    expect(parseEnv({ ...memory, HOST: "::1" }).mode).toBe("local");
  });

  test("TRUST_PROXY names the proxy's addresses; true (anyone) is refused with the reason", () => {
    expect(parseEnv({ ...memory, TRUST_PROXY: "127.0.0.1, ::1,10.0.0.0/8" }).trustedProxies).toEqual([
      "127.0.0.1",
      "::1",
      "10.0.0.0/8",
    ]);
    expect(parseEnv(memory).trustedProxies).toEqual([]);
    expect(problemsOf({ ...memory, TRUST_PROXY: "true" })).toMatch(/TRUST_PROXY: must list the proxy's addresses/);
    expect(problemsOf({ ...memory, TRUST_PROXY: "10.0.0.0/33" })).toMatch(/TRUST_PROXY/);
  });
});

describe("which API the key speaks", () => {
  const deployed = {
    ...memory,
    APP_URL: "https://sms.example.com",
    AUTH_SECRET: "a".repeat(32),
    MESSAGEBIRD_SENDER_ID: "+31970102030",
  };

  test("a bk_<region>_ key speaks the Bird platform in its region, and needs no MessageBird webhook secret", () => {
    const env = parseEnv({ ...deployed, MESSAGEBIRD_API_KEY: "bk_us1_payload123456" });
    expect(env).toMatchObject({ smsGateway: "messagebird", smsApi: "bird" });
    expect(env.bird.apiUrl).toBe("https://us1.platform.bird.com/v1");
  });

  test("BIRD_API_URL overrides the region's host", () => {
    const env = parseEnv({ ...deployed, MESSAGEBIRD_API_KEY: "bk_eu1_x1", BIRD_API_URL: "http://127.0.0.1:4010/v1" });
    expect(env.bird).toMatchObject({ apiUrl: "http://127.0.0.1:4010/v1", apiUrlOverridden: true });
  });

  test("any other key speaks the legacy API, which still needs a webhook secret when deployed", () => {
    expect(problemsOf({ ...deployed, MESSAGEBIRD_API_KEY: "live_abcdef" })).toMatch(/MESSAGEBIRD_WEBHOOK_SECRET/);
    const env = parseEnv({
      ...deployed,
      MESSAGEBIRD_API_KEY: "live_abcdef",
      MESSAGEBIRD_WEBHOOK_SECRET: "s".repeat(16),
    });
    expect(env).toMatchObject({ smsApi: "messagebird", bird: { apiUrl: null } });
  });

  test("a bk_ key without a region is refused at boot, without echoing it", () => {
    const message = problemsOf({ ...deployed, MESSAGEBIRD_API_KEY: "bk_secretpayload" });
    expect(message).toMatch(/bk_ and its region/);
    expect(message).not.toContain("secretpayload");
  });

  test("without a key the simulator speaks what SIMULATOR_API asks for", () => {
    expect(parseEnv(memory).smsApi).toBe("messagebird");
    expect(parseEnv({ ...memory, SIMULATOR_API: "bird" })).toMatchObject({ smsApi: "bird", smsGateway: "simulator" });
  });
});
