import { chromium, type Browser, type Page } from 'playwright-core';

/*
 * Headless Debian Chromium for the dashboard's browser tests (dashboard and console e2e): the
 * flags keep it off the network (no component updates, no background requests) and quiet.
 */

export const CHROMIUM = '/usr/bin/chromium';

/** Only inside callbacks that run in the page (this repository's tsconfig has no DOM lib). */
interface PageElement {
  textContent: string | null;
}
declare const document: { querySelector(selector: string): PageElement | null };

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });

/**
 * Waits until `selector`'s text contains every string; else fails saying what it shows
 * (and `context()`, e.g. a service's last output).
 */
export async function waitForTexts(
  page: Page,
  selector: string,
  texts: string[],
  options: { timeout: number; context?: () => string },
): Promise<void> {
  await page
    .waitForFunction(
      ({ selector, texts }) => {
        const text = document.querySelector(selector)?.textContent ?? '';
        return texts.every((t) => text.includes(t));
      },
      { selector, texts },
      { timeout: options.timeout, polling: 200 },
    )
    .catch(async (err: unknown) => {
      const text = await page
        .locator(selector)
        .first()
        .textContent({ timeout: 1_000 })
        .catch(() => null);
      const context = options.context ? `\n${options.context()}` : '';
      throw new Error(
        `${selector} never showed ${JSON.stringify(texts)}; it shows: ${text}\n${String(err)}${context}`,
      );
    });
}
