// Feast's own web UI (`feast ui`) in a real browser (Debian's chromium, driven by playwright-core,
// which is installed with the web app's packages, hence this script's place).
// tests/e2e/test_feast_ui.py starts `feast -c REPO ui` and runs this script once. It opens the
// project's feature-view and feature-service lists, prints the names they show, and saves a
// screenshot of the lineage page (sources, views, services).
// Settings: FEAST_UI_URL, PROJECT (sms_spam_store), SCREENSHOT, CHROMIUM (/usr/bin/chromium).
import { chromium } from 'playwright-core';

const uiUrl = process.env.FEAST_UI_URL ?? 'http://127.0.0.1:8888';
const project = process.env.PROJECT ?? 'sms_spam_store';
const screenshot = process.env.SCREENSHOT;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  // Each list is a table whose first column links to the object: its names are what it shows.
  for (const [kind, path] of [['feature views', 'feature-view'], ['feature services', 'feature-service']]) {
    await page.goto(`${uiUrl}/p/${project}/${path}`);
    const names = page.locator('table tbody tr td:first-child a');
    await names.first().waitFor({ timeout: 30000 });
    const shown = (await names.allInnerTexts()).map((name) => name.trim()).sort();
    console.log(`${kind}: ${shown.join(', ')}`);
  }

  await page.goto(`${uiUrl}/p/${project}/lineage`);
  // The graph is drawn once the registry arrives: wait for its nodes, then until their number
  // holds still for a moment.
  const graph = page.locator('.react-flow__node');
  await graph.first().waitFor({ timeout: 30000 });
  let count = -1;
  while (count !== (await graph.count())) {
    count = await graph.count();
    await page.waitForTimeout(500);
  }
  // A node reads as its symbol, then its name.
  const nodes = (await graph.allInnerTexts()).map((text) => text.trim().split('\n').pop().trim());
  console.log(`lineage: ${nodes.filter(Boolean).sort().join(', ')}`);
  if (screenshot) await page.screenshot({ path: screenshot });
  if (pageErrors.length) throw new Error(`errors in the page: ${pageErrors.join('; ')}`);
} finally {
  await browser.close();
}
