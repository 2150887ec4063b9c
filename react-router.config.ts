import type { Config } from "@react-router/dev/config";

export default {
  ssr: true,
  future: {
    // Measured: removes two Request/URL copies per action call.
    v8_passThroughRequests: true,
    v8_splitRouteModules: true,
    v8_viteEnvironmentApi: true,
    v8_trailingSlashAwareDataRequests: true,
    // Not yet: with middleware, loaders get a RouterContextProvider instead of the
    // load context server.ts fills (client address, CSP nonce). Adopt it with the
    // move to React Router 8, together with context.get().
    v8_middleware: false,
  },
} satisfies Config;
