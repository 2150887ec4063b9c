import "react-router";

declare module "react-router" {
  interface AppLoadContext {
    /** Set by server.ts; absent under `react-router dev` and in tests that pass `{}`. */
    clientIp?: string;
  }
}
