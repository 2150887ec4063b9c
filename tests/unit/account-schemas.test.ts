import { describe, expect, test } from "vitest";
import { LoginSchema, RegisterSchema } from "~/lib/account-schemas";

const errorsOf = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  Object.fromEntries((result.error?.issues ?? []).map((issue) => [issue.path.join("."), issue.message]));

describe("login form", () => {
  test("trims and lower-cases the email", () => {
    expect(LoginSchema.parse({ email: "  Ada@Example.COM ", password: "x" }).email).toBe("ada@example.com");
  });

  test("explains a malformed email and a missing password", () => {
    expect(errorsOf(LoginSchema.safeParse({ email: "ada@", password: undefined }))).toEqual({
      email: "Enter an email address like name@example.com",
      password: "Enter your password",
    });
  });
});

describe("registration form", () => {
  const valid = { email: "ada@example.com", password: "sunny-otter-42", confirmPassword: "sunny-otter-42" };

  test("accepts a valid form with or without a name", () => {
    expect(RegisterSchema.safeParse(valid).success).toBe(true);
    expect(RegisterSchema.parse({ ...valid, name: "  Ada  " }).name).toBe("Ada");
  });

  test.each([
    [7, "Use at least 8 characters"],
    [129, "Use at most 128 characters"],
  ])("a %i-character password is refused", (length, message) => {
    const password = "x".repeat(length);
    expect(errorsOf(RegisterSchema.safeParse({ ...valid, password, confirmPassword: password })).password).toBe(
      message,
    );
  });

  test("8 and 128 characters are the inclusive bounds", () => {
    for (const length of [8, 128]) {
      const password = "y".repeat(length);
      expect(RegisterSchema.safeParse({ ...valid, password, confirmPassword: password }).success).toBe(true);
    }
  });

  test("the confirmation must match", () => {
    expect(errorsOf(RegisterSchema.safeParse({ ...valid, confirmPassword: "other" }))).toEqual({
      confirmPassword: "The passwords do not match",
    });
  });
});
