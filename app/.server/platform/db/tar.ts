import path from "node:path";
import type { Readable, Writable } from "node:stream";

/*
 * Just enough of the POSIX ustar format for a database backup: regular files
 * and folders, names up to 255 bytes, sizes up to 8 GiB (Postgres's files stop
 * at 1 GiB). Plain `tar -xzf` reads what this writes, so a backup can be
 * inspected or restored without Birdline.
 */

const BLOCK = 512;

function header(name: string, { size, directory }: { size: number; directory: boolean }): Buffer {
  const block = Buffer.alloc(BLOCK);
  const full = directory ? `${name}/` : name;
  let prefix = "";
  let base = full;
  if (Buffer.byteLength(full) > 100) {
    const cut = full.lastIndexOf("/", full.length - 2);
    [prefix, base] = [full.slice(0, cut), full.slice(cut + 1)];
  }
  if (Buffer.byteLength(base) > 100 || Buffer.byteLength(prefix) > 155)
    throw new Error(`name too long for tar: ${name}`);
  const octal = (value: number, width: number) => value.toString(8).padStart(width - 1, "0") + "\0";
  block.write(base, 0);
  block.write(octal(directory ? 0o700 : 0o600, 8), 100);
  block.write(octal(0, 8), 108);
  block.write(octal(0, 8), 116);
  block.write(octal(size, 12), 124);
  block.write(octal(Math.floor(Date.now() / 1000), 12), 136);
  block.write("        ", 148);
  block.write(directory ? "5" : "0", 156);
  block.write("ustar\0" + "00", 257);
  block.write(prefix, 345);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(octal(sum, 7) + " ", 148);
  return block;
}

async function write(out: Writable, chunk: Buffer) {
  if (!out.write(chunk)) await new Promise((resolve) => out.once("drain", resolve));
}

export type TarWriter = {
  folder(name: string): Promise<void>;
  /** A file of exactly `size` bytes from `content`: a file that shrank while read is padded with zeros (WAL replay rewrites such pages). */
  file(name: string, size: number, content: AsyncIterable<Buffer>): Promise<void>;
  end(): Promise<void>;
};

export function tarWriter(out: Writable): TarWriter {
  return {
    folder: (name) => write(out, header(name, { size: 0, directory: true })),
    async file(name, size, content) {
      await write(out, header(name, { size, directory: false }));
      let written = 0;
      for await (const chunk of content) {
        const part = chunk.subarray(0, size - written);
        await write(out, part);
        written += part.length;
        if (written === size) break;
      }
      const padding = size - written + ((BLOCK - (size % BLOCK)) % BLOCK);
      if (padding > 0) await write(out, Buffer.alloc(padding));
    },
    async end() {
      await write(out, Buffer.alloc(BLOCK * 2));
      await new Promise<void>((resolve, reject) =>
        out.end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
    },
  };
}

export type TarReader = {
  folder(name: string): void;
  /** Where a file's content goes; it is ended after its last byte. */
  file(name: string): Writable;
};

/** Reads a tar stream, handing each folder and file to `into` as it comes (files are streamed, never held whole). */
export async function readTar(input: Readable, into: TarReader): Promise<void> {
  let pending = Buffer.alloc(0);
  let entry: { out: Writable; left: number; padding: number } | undefined;
  for await (const chunk of input as AsyncIterable<Buffer>) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    for (;;) {
      if (entry) {
        const data = pending.subarray(0, Math.min(pending.length, entry.left));
        if (data.length) await write(entry.out, data);
        entry.left -= data.length;
        pending = pending.subarray(data.length);
        if (entry.left > 0) break;
        const skip = Math.min(pending.length, entry.padding);
        pending = pending.subarray(skip);
        entry.padding -= skip;
        if (entry.padding > 0) break;
        const done = entry.out;
        entry = undefined;
        await new Promise<void>((resolve, reject) =>
          done.end((error?: Error | null) => (error ? reject(error) : resolve())),
        );
        continue;
      }
      if (pending.length < BLOCK) break;
      const block = pending.subarray(0, BLOCK);
      pending = pending.subarray(BLOCK);
      if (block.every((byte) => byte === 0)) continue;
      const text = (start: number, length: number) =>
        block.toString("utf8", start, start + length).replace(/\0.*$/s, "");
      const prefix = text(345, 155);
      const name = ((prefix ? `${prefix}/` : "") + text(0, 100)).replace(/\/$/, "");
      if (name.split("/").includes("..") || path.isAbsolute(name))
        throw new Error(`refusing a tar entry outside the target: ${name}`);
      if (text(156, 1) === "5") {
        into.folder(name);
        continue;
      }
      const size = parseInt(text(124, 12).trim() || "0", 8);
      entry = { out: into.file(name), left: size, padding: (BLOCK - (size % BLOCK)) % BLOCK };
    }
  }
  if (entry) throw new Error("the archive ends in the middle of a file: it is incomplete");
}
