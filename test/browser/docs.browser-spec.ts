import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { TestApp, createTestApp } from '../utils/create-test-app';

/**
 * B11 in a real browser: Debian's Chromium (headless, driven by playwright-core) loads /docs from a
 * listening server, Swagger UI renders the document, and the ingest operation is on the page.
 * Run by `npm run test:browser` (CI installs the `chromium` package first).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('/docs in headless Chromium', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium package (apt-get install chromium)`);
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    const addr = t.app.getHttpServer().address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('renders the interactive documentation with the ingest operation', async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const failed: string[] = [];
      page.on('requestfailed', (r) => failed.push(r.url()));
      const res = await page.goto(`${base}/docs`, { waitUntil: 'networkidle' });
      expect(res?.status()).toBe(200);
      await page.waitForSelector('.opblock-summary-path[data-path="/v1/ingest"]', { timeout: 15_000 });
      const ingest = page.locator('.opblock-post .opblock-summary-path[data-path="/v1/ingest"]');
      expect(await ingest.count()).toBe(1);
      const title = await page.locator('.info .title').first().innerText();
      expect(title).toMatch(/OwlMetry/);
      expect(failed).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
