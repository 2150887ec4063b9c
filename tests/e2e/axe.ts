import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

/** What the page looks like to axe and on a narrow screen, as it is now (a popover open, say). */

export async function expectAccessible(page: Page, what: string) {
  // Violations only: collecting every passing node would double the time axe takes.
  const { violations } = await new AxeBuilder({ page }).options({ resultTypes: ["violations"] }).analyze();
  const serious = violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
  expect(serious, `serious or critical axe violations on ${what}`).toEqual([]);
}

export async function expectNoSidewaysScroll(page: Page, what: string) {
  const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: innerWidth }));
  expect(widths.scroll, `${what} is wider than the screen`).toBeLessThanOrEqual(widths.inner);
}
