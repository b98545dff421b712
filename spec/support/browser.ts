/**
 * Headless Debian Chromium for browser specs, through playwright-core (which never downloads a
 * browser). Skips locally without Chromium; CI installs it, so there it fails instead.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { needs } from "./services";

export const CHROMIUM = "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic"];

/** Launches Chromium, or skips the calling suite (fails it in CI) when it is not installed. */
export async function launchChromium(ctx: Mocha.Context): Promise<Browser> {
  needs(ctx, "Chromium", existsSync(CHROMIUM), "apt-get install -y chromium");
  // Loaded here so specs without a browser don't pay for playwright-core.
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

/** Where specs save screenshots for people to look at: dist/screenshots/ (not committed). */
export const SCREENSHOTS = path.join(__dirname, "../../screenshots");
