import { THEME_COLOUR } from "~/lib/app-identity";

/** What makes Birdline installable: an app window of its own that opens on the inbox. */
export function loader() {
  const manifest = {
    id: "/",
    name: "Birdline",
    short_name: "Birdline",
    description: "Your team's SMS inbox.",
    start_url: "/messages",
    scope: "/",
    display: "standalone",
    theme_color: THEME_COLOUR,
    background_color: "#f8fafc",
    icons: [
      { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
      { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
      { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
    ],
  };
  return new Response(JSON.stringify(manifest), {
    headers: { "Content-Type": "application/manifest+json", "Cache-Control": "public, max-age=3600" },
  });
}
