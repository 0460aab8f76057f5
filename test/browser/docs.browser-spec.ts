import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { TestApp, createTestApp } from '../utils/create-test-app';

/**
 * B11 in a real browser: Debian's Chromium (headless, driven by playwright-core) loads /docs from a
 * listening server. Without scripts, the server-rendered summary lists the operations; with them, Swagger UI
 * renders the document, Auth first, and the ingest operation is on the page.
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

  const launch = () =>
    chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });

  it('renders the operations in a screenshot taken without scripts', async () => {
    const browser = await launch();
    try {
      const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1200, height: 900 } });
      const page = await context.newPage();
      const res = await page.goto(`${base}/docs`, { waitUntil: 'domcontentloaded' });
      expect(res?.status()).toBe(200);
      const summary = page.locator('#docs-summary');
      expect(await summary.isVisible()).toBe(true);
      expect(await page.locator('#docs-summary h1').innerText()).toMatch(/OwlMetry API/);
      const ingest = page.locator('#docs-summary li', { hasText: '/v1/ingest' }).first();
      expect(await ingest.isVisible()).toBe(true);
      expect(await ingest.innerText()).toMatch(/^POST\s+\/v1\/ingest\s+Send a batch/);
      const box = await summary.boundingBox();
      expect(box?.height).toBeGreaterThan(900);
      // The screenshot shows text, not an empty page: a blank PNG of this size compresses to a few KB.
      const shot = await page.screenshot();
      expect(shot.length).toBeGreaterThan(30_000);
      await context.close();
    } finally {
      await browser.close();
    }
  });

  it('renders the interactive documentation with the ingest operation', async () => {
    const browser = await launch();
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
      // Once Swagger UI has rendered, the server-rendered summary steps aside.
      expect(await page.locator('#docs-summary').isHidden()).toBe(true);
      const groups = await page.locator('.opblock-tag-section .opblock-tag').allInnerTexts();
      expect(groups[0]).toMatch(/^Auth/);
      expect(failed).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
