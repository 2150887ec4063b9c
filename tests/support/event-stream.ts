/** One server-sent event as a browser's EventSource would dispatch it. */
export type ServerSentEvent = { event: string; data: string };

/** Parses `text/event-stream` text; comments and `retry:` lines are not events. */
export function parseEventStream(text: string): ServerSentEvent[] {
  return text
    .split("\n\n")
    .map((block) => {
      const lines = block.split("\n");
      const field = (name: string) =>
        lines.filter((line) => line.startsWith(`${name}: `)).map((line) => line.slice(name.length + 2));
      const data = field("data");
      return data.length > 0 ? { event: field("event")[0] ?? "message", data: data.join("\n") } : null;
    })
    .filter((event) => event !== null);
}

/** Reads a streaming response body as it arrives. */
export function readEventStream(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let ended = false;
  return {
    text: () => text,
    events: () => parseEventStream(text),
    get ended() {
      return ended;
    },
    /** Reads until `done(text)` holds or the stream ends; throws after `timeoutMs`. */
    async until(done: (text: string) => boolean, timeoutMs = 5_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      while (!done(text)) {
        if (ended) throw new Error(`stream ended before the expected data arrived; got:\n${text}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out waiting for stream data; got:\n${text}`);
        let timer: NodeJS.Timeout | undefined;
        const chunk = await Promise.race([
          reader.read(),
          new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), left))),
        ]).finally(() => clearTimeout(timer));
        if (chunk === null) continue;
        if (chunk.done) ended = true;
        else text += decoder.decode(chunk.value, { stream: true });
      }
      return text;
    },
  };
}
