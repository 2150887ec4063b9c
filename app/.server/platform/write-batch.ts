/**
 * Group commit: callers hand in one item each and wait for its own answer.
 * While a write is in flight, newly arriving items queue; when it finishes,
 * the whole queue (up to `maxSize`) goes into the next write together. There
 * is no timer: an item arriving while nothing is in flight is written at once,
 * so an idle server answers as fast as it did one write per request, and a
 * busy one does far fewer round trips and commits per item.
 *
 * `write` must store all of its items or none (one transaction) and answer
 * each by position, after commit. When a write of several items fails, each
 * of them is written again alone, so one bad item fails only itself.
 */
export type WriteBatchOptions<Item, Answer> = {
  /**
   * Most items per write: bounds a transaction's size and how long its locks
   * are held. 256 was measured for webhooks (docs/decisions/007-group-commit.md):
   * at 200 connections the whole queue fits one transaction.
   */
  maxSize?: number;
  write(items: Item[]): Promise<Answer[]>;
};

type Waiting<Item, Answer> = { item: Item; resolve(answer: Answer): void; reject(error: unknown): void };

export function writeBatch<Item, Answer>({ maxSize = 256, write }: WriteBatchOptions<Item, Answer>) {
  let queue: Waiting<Item, Answer>[] = [];
  let writing = false;

  async function writeAll(batch: Waiting<Item, Answer>[]) {
    try {
      const answers = await write(batch.map((waiting) => waiting.item));
      batch.forEach((waiting, i) => waiting.resolve(answers[i]!));
    } catch (error) {
      if (batch.length === 1) batch[0]!.reject(error);
      else await Promise.all(batch.map((waiting) => writeAll([waiting])));
    }
  }

  async function drain() {
    writing = true;
    while (queue.length > 0) {
      const batch = queue.length <= maxSize ? queue : queue.slice(0, maxSize);
      queue = batch === queue ? [] : queue.slice(maxSize);
      await writeAll(batch);
    }
    writing = false;
  }

  return (item: Item): Promise<Answer> =>
    new Promise<Answer>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!writing) void drain();
    });
}
