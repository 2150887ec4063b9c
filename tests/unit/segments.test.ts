import { describe, expect, test } from "vitest";
import { countSegments } from "~/lib/segments";

describe("GSM-7 messages", () => {
  test.each([
    [0, 1],
    [1, 1],
    [160, 1],
    [161, 2],
    [306, 2],
    [307, 3],
    [1530, 10],
  ])("%i plain characters take %i part(s)", (length, segments) => {
    expect(countSegments("a".repeat(length))).toMatchObject({ encoding: "GSM-7", units: length, segments });
  });

  test("extension characters count twice", () => {
    expect(countSegments("€".repeat(80))).toMatchObject({ encoding: "GSM-7", units: 160, segments: 1 });
    expect(countSegments(`${"a".repeat(159)}^`)).toMatchObject({ units: 161, segments: 2 });
    expect(countSegments("{}[]~|\\")).toMatchObject({ units: 14 });
  });

  test("accented letters of the GSM alphabet stay GSM-7", () => {
    expect(countSegments("Ça sérà ok, Ñoño! ¿Qué? Δ").encoding).toBe("GSM-7");
    expect(countSegments("façile").encoding).toBe("UCS-2");
  });

  test("reports what is left in the current part", () => {
    expect(countSegments("hello")).toMatchObject({ perSegment: 160, remaining: 155 });
    expect(countSegments("a".repeat(200))).toMatchObject({ perSegment: 153, remaining: 106 });
  });
});

describe("UCS-2 messages", () => {
  test.each([
    [70, 1],
    [71, 2],
    [134, 2],
    [135, 3],
  ])("%i characters with one non-GSM letter take %i part(s)", (length, segments) => {
    expect(countSegments(`ł${"a".repeat(length - 1)}`)).toMatchObject({ encoding: "UCS-2", units: length, segments });
  });

  test("an emoji switches the whole message to UCS-2 and counts as two units", () => {
    expect(countSegments("Hi 👋")).toMatchObject({ encoding: "UCS-2", units: 5, segments: 1, perSegment: 70 });
    expect(countSegments("👋".repeat(35))).toMatchObject({ units: 70, segments: 1 });
    expect(countSegments("👋".repeat(36))).toMatchObject({ units: 72, segments: 2 });
  });
});
