import { expect, test, vi } from "vitest";
import { directSinkOf, encodeEvent, eventStream, type SendEvent } from "~/.server/platform/event-stream";

const decoder = new TextDecoder();

/** A stream whose subscription hands back its `send`, and counts unsubscribes. */
async function openStream() {
  let send!: SendEvent;
  const unsubscribe = vi.fn();
  const abort = new AbortController();
  const response = await eventStream(abort.signal, async (s) => {
    send = s;
    return unsubscribe;
  });
  return { response, send: (data: string) => send(encodeEvent("inbox", data)), unsubscribe, abort };
}

test("read as a web stream, the body carries the retry field and then every event", async () => {
  const { response, send } = await openStream();
  send("one");
  const reader = response.body!.getReader();
  send("two");
  let text = "";
  while (!text.includes("two")) text += decoder.decode((await reader.read()).value);
  expect(text).toBe("retry: 5000\n\nevent: inbox\ndata: one\n\nevent: inbox\ndata: two\n\n");
});

test("a server's own sink gets what was sent before it attached, then each event as it is sent", async () => {
  const { response, send } = await openStream();
  send("before");
  const frames: string[] = [];
  directSinkOf(response)!({ write: (frame) => frames.push(decoder.decode(frame)) > 0, end: () => {} });
  send("after");
  expect(frames).toEqual(["retry: 5000\n\n", "event: inbox\ndata: before\n\n", "event: inbox\ndata: after\n\n"]);
});

test("a client that stopped reading is cut off: the sink is ended and the subscription freed, once", async () => {
  const { response, send, unsubscribe } = await openStream();
  let backlog = 0;
  const end = vi.fn();
  directSinkOf(response)!({ write: () => ++backlog < 3, end });
  send("one");
  expect(end).not.toHaveBeenCalled();
  send("two");
  send("three");
  expect(end).toHaveBeenCalledOnce();
  expect(unsubscribe).toHaveBeenCalledOnce();
  expect(backlog).toBe(3);
});

test("a connection that closes ends the server's sink and frees the subscription, once", async () => {
  const { response, unsubscribe, abort } = await openStream();
  const end = vi.fn();
  const closed = directSinkOf(response)!({ write: () => true, end });
  closed();
  abort.abort();
  expect(end).toHaveBeenCalledOnce();
  expect(unsubscribe).toHaveBeenCalledOnce();
});

test("at each heartbeat the stream asks whether it may stay open: no closes it, an error does not", async () => {
  vi.useFakeTimers({ toFake: ["setInterval"] });
  const unsubscribe = vi.fn();
  const stillAllowed = vi
    .fn<() => Promise<boolean>>()
    .mockRejectedValueOnce(new Error("database down"))
    .mockResolvedValueOnce(true)
    .mockResolvedValueOnce(false);
  const response = await eventStream(new AbortController().signal, async () => unsubscribe, {
    heartbeatMs: 1_000,
    stillAllowed,
  });
  const end = vi.fn();
  directSinkOf(response)!({ write: () => true, end });
  for (let beat = 1; beat <= 2; beat++) {
    await vi.advanceTimersByTimeAsync(1_000);
    expect(end).not.toHaveBeenCalled();
  }
  await vi.advanceTimersByTimeAsync(1_000);
  expect(stillAllowed).toHaveBeenCalledTimes(3);
  expect(end).toHaveBeenCalledOnce();
  expect(unsubscribe).toHaveBeenCalledOnce();
  vi.useRealTimers();
});
