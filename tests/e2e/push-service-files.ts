import os from "node:os";
import path from "node:path";
import { E2E_PORT } from "./e2e-port";

/**
 * Where the certificate of push.spec.ts's push service lives: playwright.config.ts makes it
 * before the main app starts (trusting it through NODE_EXTRA_CA_CERTS), the spec serves with it.
 */
const dir = path.join(os.tmpdir(), `birdline-e2e-push-${E2E_PORT}`);
export const PUSH_SERVICE_FILES = { key: path.join(dir, "key.pem"), certificate: path.join(dir, "cert.pem") };
