import { E2E_PORT } from "./e2e-port";

/**
 * The app whose simulator speaks the Bird platform's dialect (SIMULATOR_API=bird), as
 * playwright.config.ts starts it: its own embedded database, so its first account is its admin.
 */
export const BIRD_APP_PORT = E2E_PORT + 3;
export const BIRD_APP_URL = `http://localhost:${BIRD_APP_PORT}`;
