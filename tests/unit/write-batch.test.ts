import { describe, expect, test } from "vitest";
import { writeBatch } from "~/.server/platform/write-batch";

/** A write that records each batch it was given and finishes when the test says so. */
function controlledWrite() {
  const batches: number[][] = [];
  const finish: (() => void)[] = [];
  const write = (items: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      batches.push(items);
      finish.push(() => (items.includes(-1) ? reject(new Error("bad item")) : resolve(items.map((n) => `wrote ${n}`))));
    });
  return { batches, finish, write };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("writeBatch", () => {
  test("a lone item is written at once, without waiting for company", () => {
    const { batches, write } = controlledWrite();
    const store = writeBatch({ maxSize: 10, write });
    void store(1);
    expect(batches).toEqual([[1]]);
  });

  test("items arriving during a write go together into the next one, each answered its own result", async () => {
    const { batches, finish, write } = controlledWrite();
    const store = writeBatch({ maxSize: 10, write });
    const answers = [1, 2, 3, 4].map((n) => store(n));
    expect(batches).toEqual([[1]]);
    finish[0]!();
    await tick();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    finish[1]!();
    expect(await Promise.all(answers)).toEqual(["wrote 1", "wrote 2", "wrote 3", "wrote 4"]);
  });

  test("no write holds more than maxSize items; the rest follow in arrival order", async () => {
    const { batches, finish, write } = controlledWrite();
    const store = writeBatch({ maxSize: 2, write });
    const answers = [1, 2, 3, 4, 5].map((n) => store(n));
    for (let i = 0; i < 3; i++) {
      finish[i]!();
      await tick();
    }
    expect(batches).toEqual([[1], [2, 3], [4, 5]]);
    expect(await Promise.all(answers)).toHaveLength(5);
  });

  test("when a batch fails, each item is written alone: only the bad one fails", async () => {
    const { batches, finish, write } = controlledWrite();
    const store = writeBatch({ maxSize: 10, write });
    const answers = [1, 2, -1, 3].map((n) => store(n).catch((error: Error) => error.message));
    finish[0]!();
    await tick();
    finish[1]!();
    await tick();
    expect(batches.slice(2)).toEqual([[2], [-1], [3]]);
    for (const done of finish.slice(2)) done();
    expect(await Promise.all(answers)).toEqual(["wrote 1", "wrote 2", "bad item", "wrote 3"]);
  });
});
