import type { AppLoadContext } from "react-router";

/** The client's address as server.ts determined it (socket, or X-Forwarded-For behind a trusted proxy). */
export function clientIp(context: AppLoadContext | undefined): string {
  return context?.clientIp ?? "unknown";
}
