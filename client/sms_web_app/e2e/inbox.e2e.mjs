// End-to-end check of the web app in a real browser (Debian's chromium, driven by
// playwright-core). tests/e2e/test_web_app.py starts the real services and the built app, then
// runs this script once per phase:
//   PHASE=verdict       log in, see the inbox, check messages, see verdicts, take the screenshot
//   PHASE=service-down  with DOWN_SERVICE stopped, a check shows a friendly error naming it
// Settings: APP_URL, USER_ID, SCREENSHOT, CHROMIUM (default /usr/bin/chromium), and the model
// and architecture the app was built for: MODEL_VERSION (v1), ARCHITECTURE (I).
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const appUrl = process.env.APP_URL ?? 'http://127.0.0.1:3000';
const userId = process.env.USER_ID ?? 'fiona';
const phase = process.env.PHASE ?? 'verdict';
const screenshot = process.env.SCREENSHOT;
const modelVersion = process.env.MODEL_VERSION ?? 'v1';
const architecture = process.env.ARCHITECTURE ?? 'I';
const downService = process.env.DOWN_SERVICE ?? 'model-serving service';

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 1100 } });
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  await page.goto(appUrl);
  const header = await page.getByTestId('model-info').textContent();
  assert.match(header, new RegExp(`Model ${modelVersion} · architecture ${architecture}\\b`));
  console.log(`header: ${header.replace(/\s+/g, ' ')}`);

  await page.getByLabel('Your name').fill(userId);
  await page.getByRole('button', { name: 'Open inbox' }).click();
  const messages = page.getByRole('listitem');
  await messages.first().waitFor();
  const count = await messages.count();
  assert.ok(count > 0, 'the inbox is empty');
  console.log(`inbox of ${userId}: ${count} messages`);

  if (phase === 'verdict') {
    const spammy = messages.filter({ hasText: 'FREE entry' });
    const friendly = messages.filter({ hasText: 'Dad fixed the bike' });
    for (const [name, item] of [['spammy', spammy], ['friendly', friendly]]) {
      await item.getByRole('button', { name: 'Check for spam' }).click();
      const verdict = await item.getByTestId('verdict').textContent({ timeout: 15000 });
      console.log(`${name} message: ${verdict}`);
      assert.match(verdict, /^(Spam|Ham) · spam \d+%$/);
    }
    assert.match(await spammy.getByTestId('verdict').textContent(), /^Spam/);
    assert.match(await friendly.getByTestId('verdict').textContent(), /^Ham/);
    // Check the rest too, so that the screenshot shows the whole inbox judged.
    const unchecked = page.getByRole('button', { name: 'Check for spam' });
    while ((await unchecked.count()) > 0) {
      await unchecked.first().click();
    }
    await page.waitForFunction(
      (expected) => document.querySelectorAll('[data-testid="verdict"]').length === expected,
      count,
      { timeout: 15000 },
    );
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    await page.getByRole('button', { name: 'Refresh' }).click();
    // The old list stays on screen until the new one arrives: wait for the verdicts to go.
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="verdict"]').length === 0,
      undefined,
      { timeout: 15000 },
    );
    await messages.first().waitFor();
    assert.equal(await messages.count(), count);
    assert.equal(await unchecked.count(), count, 'a refresh shows the messages unchecked again');
  } else if (phase === 'service-down') {
    const first = messages.first();
    await first.getByRole('button', { name: 'Check for spam' }).click();
    const alert = await first.getByRole('alert').textContent({ timeout: 15000 });
    console.log(`with the ${downService} down: ${alert}`);
    assert.ok(alert.includes(`${downService} cannot be reached`), alert);
    assert.ok(await page.getByRole('heading', { name: `Inbox of ${userId}` }).isVisible());
  } else {
    throw new Error(`unknown PHASE ${phase}`);
  }
  if (screenshot) {
    if (phase !== 'verdict') await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`screenshot: ${screenshot}`);
  }
  assert.deepEqual(pageErrors, [], 'the page raised errors');
} finally {
  await browser.close();
}
