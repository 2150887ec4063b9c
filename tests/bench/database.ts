// A fresh Postgres database for one bench run, dropped afterwards (like tests/setup/test-database.ts).
import postgres from "postgres";

export type BenchDatabase = { url: string; name: string; drop(): Promise<void> };

export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `birdline_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await admin.end();
      }
    },
  };
}
