import { createECDH, randomBytes } from "node:crypto";
import { isIP } from "node:net";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isSupportedCountry, type CountryCode } from "libphonenumber-js";
import { z } from "zod";
import { ensureDataDir } from "./data-dir";

/**
 * The one place that reads process.env. Everything else imports `env`.
 * Strictness follows where the app is reachable (README "Configuration"):
 * local (APP_URL unset or localhost) fills in secrets so `npm start` just works;
 * deployed refuses to boot with anything unsafe.
 */

// Docker env files and CI often set variables to "": treat that as unset.
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema.optional());

const postgresUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^postgres(ql)?:$/.test(new URL(value).protocol), {
    message: "must be a postgres:// or postgresql:// URL",
  });

const httpUrl = z.string().refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
  message: "must be an http:// or https:// URL, e.g. https://sms.example.com",
});

const senderId = z.string().regex(/^(\+[1-9]\d{6,14}|[A-Za-z0-9 ]{1,11})$/, {
  message: "must be an E.164 number (+31612345678) or an alphanumeric sender of at most 11 characters",
});

/** Bird platform keys name their region: bk_eu1_…, bk_us1_… (the scheme allows future ones such as ap1). */
const BIRD_KEY = /^bk_([a-z]{2}[0-9]+)_./;

const smsCategory = z.enum(["transactional", "marketing", "authentication", "service"]);

const schema = z.object({
  DATABASE_URL: optional(postgresUrl),
  DATA_DIR: optional(z.string()),
  AUTH_SECRET: optional(
    z.string().min(32, { message: "must be at least 32 characters (try: openssl rand -base64 32)" }),
  ),
  APP_URL: optional(httpUrl),
  AUTH_URL: optional(httpUrl),
  MESSAGEBIRD_API_KEY: optional(z.string().min(1)),
  MESSAGEBIRD_SENDER_ID: optional(senderId),
  MESSAGEBIRD_WEBHOOK_SECRET: optional(z.string().min(16, { message: "must be at least 16 characters" })),
  MESSAGEBIRD_SIGNING_KEY: optional(z.string().min(1)),
  SMS_GATEWAY: optional(z.enum(["messagebird", "simulator"])),
  BIRD_API_URL: optional(httpUrl),
  BIRD_WEBHOOK_SECRET: optional(
    z.string().regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, {
      message: "must be the whsec_… secret Bird showed when the webhook was created",
    }),
  ),
  BIRD_REPLY_CATEGORY: optional(smsCategory),
  BIRD_CODE_CATEGORY: optional(smsCategory),
  SIMULATOR_API: optional(z.enum(["messagebird", "bird"])),
  DEFAULT_COUNTRY: optional(
    z
      .string()
      .transform((value) => value.toUpperCase())
      .refine(isSupportedCountry, { message: "must be a two-letter country code such as NL or US" }),
  ),
  PORT: optional(z.coerce.number().int().min(0).max(65535)),
  HOST: optional(z.string().min(1)),
  TRUST_PROXY: optional(
    z
      .string()
      .transform((value) =>
        value
          .split(",")
          .map((entry) => entry.trim())
          .filter(Boolean),
      )
      .refine((entries) => entries.every(isAddressOrRange), {
        message:
          "must list the proxy's addresses, e.g. 127.0.0.1 or 127.0.0.1,10.0.0.0/8 (true would trust anyone who reaches the port)",
      }),
  ),
  REQUEST_TIMEOUT: optional(z.coerce.number().int().min(1).max(3600)),
  MESSAGEBIRD_API_URL: optional(httpUrl),
  SMS_RETRY_MAX_DELAY: optional(z.coerce.number().int().min(1).max(86_400)),
  SMS_RETRY_WINDOW: optional(
    z.coerce
      .number()
      .int()
      .min(10)
      .max(7 * 86_400),
  ),
  SMS_SEND_CONCURRENCY: optional(z.coerce.number().int().min(1).max(100)),
  DELIVERY_REPORT_TIMEOUT: optional(
    z.coerce
      .number()
      .int()
      .min(10)
      .max(7 * 86_400),
  ),
  SMS_CODES_PER_HOUR: optional(z.coerce.number().int().min(1)),
  SMS_CODES_PER_COUNTRY_HOUR: optional(z.coerce.number().int().min(1)),
  AWAY_REPLY_EVERY: optional(
    z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 365),
  ),
  LOG_LEVEL: optional(z.enum(["debug", "info", "warn", "error", "silent"])),
  VAPID_PUBLIC_KEY: optional(
    z.string().regex(/^[A-Za-z0-9_-]{87}$/, {
      message: "must be the base64url public key from `npx web-push generate-vapid-keys`",
    }),
  ),
  VAPID_PRIVATE_KEY: optional(
    z.string().regex(/^[A-Za-z0-9_-]{43}$/, {
      message: "must be the base64url private key from `npx web-push generate-vapid-keys`",
    }),
  ),
  VAPID_SUBJECT: optional(
    z.string().regex(/^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+)$/, {
      message: "must be a mailto: address or an https:// URL where push services can reach you",
    }),
  ),
  PUSH_ALLOWED_HOSTS: optional(
    z
      .string()
      .transform((value) =>
        value
          .split(",")
          .map((entry) => entry.trim().toLowerCase())
          .filter(Boolean),
      )
      .refine((hosts) => hosts.every((host) => /^[a-z0-9.-]+$/.test(host)), {
        message: "must list host names, e.g. push.example.com,localhost (no scheme, port or path)",
      }),
  ),
  WEBHOOK_ALLOW_PRIVATE: optional(z.enum(["0", "1"], { message: "must be 1 (allow) or 0" })),
});

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "0.0.0.0"]);

/** An IPv4/IPv6 address, or one with a /prefix. */
function isAddressOrRange(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split("/");
  const family = isIP(address!);
  if (!family || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** Loopback listen addresses: only this machine can reach the server. */
export function isLoopbackAddress(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
/** The simulator's virtual number: a UK range reserved for fiction, so it never reaches anyone. */
const SIMULATOR_NUMBER = "+447700900000";

type VapidKeys = { publicKey: string; privateKey: string };
type Secrets = { authSecret: string; webhookSecret: string; vapid: VapidKeys };

/** A P-256 key pair in the encoding Web Push uses (the public key uncompressed), as `web-push` would make it. */
function vapidKeys(): VapidKeys {
  const curve = createECDH("prime256v1");
  curve.generateKeys();
  return { publicKey: curve.getPublicKey("base64url"), privateKey: curve.getPrivateKey("base64url") };
}

function localSecrets(dataDir: string): Secrets {
  const fresh = (): Secrets => ({
    authSecret: randomBytes(32).toString("base64url"),
    webhookSecret: randomBytes(24).toString("base64url"),
    vapid: vapidKeys(),
  });
  if (dataDir.startsWith("memory://")) return fresh();
  const file = path.join(dataDir, "secrets.json");
  let kept: Partial<Secrets> | undefined;
  try {
    kept = JSON.parse(readFileSync(file, "utf8")) as Partial<Secrets>;
  } catch {
    // Absent or unreadable: made anew below.
  }
  if (kept?.authSecret && kept.webhookSecret && kept.vapid) return kept as Secrets;
  // A data folder from before a secret existed keeps the ones it has: signed-in sessions and
  // the webhook secret pasted into MessageBird stay valid.
  const secrets = { ...fresh(), ...kept };
  ensureDataDir(dataDir);
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

export function parseEnv(source: Record<string, string | undefined>) {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    // Name the variable and the rule; never echo the value (it may be a secret).
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`));
  }
  const vars = parsed.data;
  const port = vars.PORT ?? 3000;
  const publicUrl = vars.APP_URL ?? vars.AUTH_URL;
  const appUrl = new URL(publicUrl ?? `http://localhost:${port}`);
  // Local mode shows verification codes and the webhook secret on /dev/phone: it is only
  // for this machine. Listening anywhere else means other people can reach it.
  const reachableFromOutside = vars.HOST !== undefined && !isLoopbackAddress(vars.HOST);
  const mode = LOCAL_HOSTS.has(appUrl.hostname) && !reachableFromOutside ? "local" : "deployed";
  const dataDir = vars.DATA_DIR ?? "./data";
  const smsGateway = vars.SMS_GATEWAY ?? (vars.MESSAGEBIRD_API_KEY ? "messagebird" : "simulator");

  const apiKey = vars.MESSAGEBIRD_API_KEY;
  const birdRegion = apiKey?.match(BIRD_KEY)?.[1];
  // Which API the key speaks; the simulator speaks whichever SIMULATOR_API asks for.
  const smsApi = apiKey ? (birdRegion ? "bird" : "messagebird") : (vars.SIMULATOR_API ?? "messagebird");

  const problems: string[] = [];
  if (apiKey?.startsWith("bk_") && !birdRegion) {
    problems.push("MESSAGEBIRD_API_KEY: a Bird platform key starts with bk_ and its region, e.g. bk_eu1_…");
  }
  if (smsGateway === "messagebird" && !vars.MESSAGEBIRD_API_KEY) {
    problems.push("MESSAGEBIRD_API_KEY: required when SMS_GATEWAY=messagebird");
  }
  const vapidSet = [vars.VAPID_PUBLIC_KEY, vars.VAPID_PRIVATE_KEY, vars.VAPID_SUBJECT].filter(Boolean).length;
  if (vapidSet > 0 && vapidSet < 3) {
    problems.push(
      "VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT: set all three for push notifications, or none",
    );
  }
  if (mode === "deployed") {
    if (!publicUrl) {
      problems.push(
        `APP_URL: required when HOST (${vars.HOST}) is not a loopback address: the public URL people and MessageBird use, e.g. https://sms.example.com`,
      );
    }
    if (!vars.AUTH_SECRET)
      problems.push("AUTH_SECRET: required when APP_URL is not localhost (openssl rand -base64 32)");
    if (smsGateway === "simulator" && vars.SMS_GATEWAY !== "simulator") {
      problems.push(
        "MESSAGEBIRD_API_KEY: required when APP_URL is not localhost (or set SMS_GATEWAY=simulator on purpose)",
      );
    }
    // Bird platform webhooks carry their own secret, registered on /team/provider (or BIRD_WEBHOOK_SECRET).
    if (smsApi === "messagebird" && !vars.MESSAGEBIRD_WEBHOOK_SECRET && !vars.MESSAGEBIRD_SIGNING_KEY) {
      problems.push(
        "MESSAGEBIRD_WEBHOOK_SECRET or MESSAGEBIRD_SIGNING_KEY: set at least one so webhooks can be authenticated",
      );
    }
    if (smsGateway === "messagebird" && !vars.MESSAGEBIRD_SENDER_ID) {
      problems.push("MESSAGEBIRD_SENDER_ID: required with the MessageBird gateway (your virtual number in E.164)");
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  // Generated on first use, so programs that never need them (backup, restore) leave DATA_DIR alone.
  let generated: Secrets | undefined;
  const local = () => (generated ??= localSecrets(dataDir));

  return {
    mode,
    appUrl,
    /** Behind a TLS proxy the internal request is http; the public URL decides. */
    secureCookies: appUrl.protocol === "https:",
    databaseUrl: vars.DATABASE_URL,
    dataDir,
    get authSecret() {
      return vars.AUTH_SECRET ?? local().authSecret;
    },
    smsGateway,
    messagebird: {
      apiKey: vars.MESSAGEBIRD_API_KEY,
      /** The legacy REST API's base; another for tests, regional endpoints or an egress proxy. */
      apiUrl: new URL(vars.MESSAGEBIRD_API_URL ?? "https://rest.messagebird.com"),
      senderId: vars.MESSAGEBIRD_SENDER_ID ?? SIMULATOR_NUMBER,
      get webhookSecret() {
        if (vars.MESSAGEBIRD_WEBHOOK_SECRET || vars.MESSAGEBIRD_SIGNING_KEY) return vars.MESSAGEBIRD_WEBHOOK_SECRET;
        return mode === "local" ? local().webhookSecret : undefined;
      },
      signingKey: vars.MESSAGEBIRD_SIGNING_KEY,
    },
    /** The dialect every SMS is sent and received in: the Bird platform (bk_ keys) or the legacy MessageBird API. */
    smsApi,
    bird: {
      /** BIRD_API_URL (tests, proxies), else the key's region; null without a Bird key. */
      apiUrl: vars.BIRD_API_URL ?? (birdRegion ? `https://${birdRegion}.platform.bird.com/v1` : null),
      /** A stand-in (a proxy, a test double) may reach a local app where Bird itself cannot. */
      apiUrlOverridden: vars.BIRD_API_URL !== undefined,
      /** Set when someone registered the webhook by hand; /team/provider stores the one it registers. */
      webhookSecret: vars.BIRD_WEBHOOK_SECRET,
      categories: { reply: vars.BIRD_REPLY_CATEGORY ?? "service", code: vars.BIRD_CODE_CATEGORY ?? "authentication" },
    },
    defaultCountry: (vars.DEFAULT_COUNTRY ?? "NL") as CountryCode,
    /** Addresses of the reverse proxies whose X-Forwarded-* headers we believe; nobody else's. */
    trustedProxies: vars.TRUST_PROXY ?? [],
    port,
    host: vars.HOST ?? (mode === "local" ? "127.0.0.1" : "0.0.0.0"),
    outbox: {
      /** Longest wait between two attempts at a transient failure, in ms. */
      maxRetryDelayMs: (vars.SMS_RETRY_MAX_DELAY ?? 300) * 1000,
      /** How long after it was written a message keeps being retried before it fails, in ms. */
      retryWindowMs: (vars.SMS_RETRY_WINDOW ?? 86_400) * 1000,
      /** SMS sent at once by one instance. */
      concurrency: vars.SMS_SEND_CONCURRENCY ?? 4,
      /** A `sent` message without a delivery report after this long is looked up at the provider, in ms. */
      deliveryReportTimeoutMs: (vars.DELIVERY_REPORT_TIMEOUT ?? 1800) * 1000,
    },
    /** Longest a client may take to send a whole request (headers and body); event streams are not affected. */
    requestTimeoutMs: (vars.REQUEST_TIMEOUT ?? 30) * 1000,
    logLevel: vars.LOG_LEVEL ?? "info",
    /** Verification codes sent per hour, in all and to one country calling code: a ceiling on SMS pumping. */
    smsCodesPerHour: vars.SMS_CODES_PER_HOUR ?? 100,
    smsCodesPerCountryHour: vars.SMS_CODES_PER_COUNTRY_HOUR ?? 30,
    /** A conversation gets the away message at most once in this long, in ms. */
    awayReplyEveryMs: (vars.AWAY_REPLY_EVERY ?? 24) * 3_600_000,
    push: {
      /**
       * The server's Web Push identity: the VAPID_* variables, else in local mode a key pair made
       * once and kept in DATA_DIR; null (push off) when deployed without them.
       */
      get vapid(): (VapidKeys & { subject: string }) | null {
        if (vars.VAPID_PUBLIC_KEY && vars.VAPID_PRIVATE_KEY && vars.VAPID_SUBJECT)
          return { publicKey: vars.VAPID_PUBLIC_KEY, privateKey: vars.VAPID_PRIVATE_KEY, subject: vars.VAPID_SUBJECT };
        // Push services want a way to reach the sender; a local install has no public one.
        return mode === "local" ? { ...local().vapid, subject: "mailto:birdline@localhost" } : null;
      },
      /** Push services besides the browsers' own that subscriptions may name (self-hosted, tests). */
      allowedHosts: vars.PUSH_ALLOWED_HOSTS ?? [],
    },
    /** Which addresses outgoing webhooks may post to (outgoing-webhooks/address-guard.ts). */
    outgoingWebhooks: {
      /** Private, loopback and other non-public addresses too, and plain http: a receiver on the same network. */
      allowPrivate: vars.WEBHOOK_ALLOW_PRIVATE === "1",
      /** On this machine only, a receiver on this machine is what one tries things with. */
      allowLoopback: vars.WEBHOOK_ALLOW_PRIVATE === "1" || mode === "local",
      /** Deployed, an event's contents cross the internet: only over TLS. */
      requireHttps: mode === "deployed" && vars.WEBHOOK_ALLOW_PRIVATE !== "1",
    },
  } as const;
}

export type Env = ReturnType<typeof parseEnv>;

export const env: Env = parseEnv(process.env);
