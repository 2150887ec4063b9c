import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js";

/**
 * A number a person typed, in any common format ("06 12345678", "+31 6 1234 5678",
 * "(415) 555-2671"), as E.164 — or null when it is not a valid number.
 */
export function parseUserPhone(input: string, defaultCountry?: CountryCode): string | null {
  const parsed = parsePhoneNumberFromString(input.trim(), defaultCountry);
  return parsed?.isValid() ? parsed.number : null;
}

/**
 * A number MessageBird sent us, as E.164. Providers often drop the "+"
 * ("31612345678"), and the network has already routed the message, so this
 * accepts any number of a possible length rather than insisting on validity.
 */
export function normalizeProviderPhone(input: string): string | null {
  const trimmed = input.trim().replace(/[\s().-]/g, "");
  const withPlus = /^\d+$/.test(trimmed) ? `+${trimmed.replace(/^00/, "")}` : trimmed.replace(/^00/, "+");
  const parsed = parsePhoneNumberFromString(withPlus);
  return parsed?.isPossible() ? parsed.number : null;
}

/** "+31612345678" → "+31 6 12345678" for people to read; unknown shapes pass through. */
export function formatPhone(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}

/** "+31612345678" → "+31": the country calling code, which decides what an SMS to the number costs. */
export function callingCodeOf(e164: string): string {
  const code = parsePhoneNumberFromString(e164)?.countryCallingCode;
  return code ? `+${code}` : "unknown";
}
