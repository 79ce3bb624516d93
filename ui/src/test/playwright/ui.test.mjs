// The ldm4j browser UI in a real browser: playwright-core driving Debian's Chromium (headless) against a
// running `ldm4j serve` with an API key, on the demo model. Run by the app's ServeUiIT:
//   BASE_URL=http://127.0.0.1:8080 API_KEY=… SCREENSHOTS=dir [CHROMIUM=/usr/bin/chromium] node ui.test.mjs
// Prints one line `RESULT {json}` with what it saw; exits 1 with the failed check's message otherwise.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const base = need('BASE_URL').replace(/\/$/, '');
const key = need('API_KEY');
const shots = need('SCREENSHOTS');
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const cancelSteps = Number(process.env.CANCEL_STEPS || '150');
mkdirSync(shots, { recursive: true });

function need(name) {
  const v = process.env[name];
  if (!v) {
    throw new Error(`environment variable ${name} is required`);
  }
  return v;
}

function check(cond, message) {
  if (!cond) {
    throw new Error(`check failed: ${message}`);
  }
}

const result = {};
const apiCalls = []; // every request of the page to the API: { path, authorization }

let page = null; // for the page's own status and error in a failure's message
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-default-apps', '--disable-extensions', '--no-first-run', '--disable-domain-reliability',
    '--metrics-recording-only', '--disable-breakpad', '--disable-dev-shm-usage'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  // test helper in every page: RGB of an <img> at fractions (fx, fy) of its natural size
  await context.addInitScript(() => {
    window.testPixels = async (img, points) => {
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      return points.map(([fx, fy]) =>
        [...g.getImageData(Math.round(c.width * fx), Math.round(c.height * fy), 1, 1).data.slice(0, 3)]);
    };
  });
  page = await context.newPage();
  const consoleErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/401|Unauthorized/.test(m.text())) {
      consoleErrors.push(m.text());
    }
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  const external = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.origin !== base && !url.protocol.startsWith('data') && !url.protocol.startsWith('blob')) {
      external.push(r.url());
    }
    if (/^\/(v1|sdapi|ldm4j)\//.test(url.pathname)) {
      apiCalls.push({ path: url.pathname, authorization: r.headers().authorization ?? null });
    }
  });

  // 1. The page loads without the key (the static files are public), asks for the key, keeps it.
  const response = await page.goto(`${base}/`);
  check(response.status() === 200, `GET / answered ${response.status()}`);
  await page.getByRole('textbox', { name: 'API key' }).waitFor({ state: 'visible' });
  result.keyRequested = await page.locator('#server-state').innerText();
  await page.screenshot({ path: join(shots, 'api-key.png') });
  result.apiCallsBeforeKey = apiCalls.map((c) => c.path);
  apiCalls.length = 0; // from here on, every API call must carry the key
  await page.getByRole('textbox', { name: 'API key' }).fill(key);
  await page.getByRole('button', { name: 'Save key' }).click();
  await page.locator('body[data-connected="true"]').waitFor();
  result.models = await page.getByLabel('Model').locator('option').allInnerTexts();
  result.samplers = (await page.getByLabel('Sampler').locator('option').allInnerTexts()).length;
  result.upscalers = await page.getByLabel('Upscaler').locator('option').allInnerTexts();
  result.loras = await page.getByLabel('LoRA', { exact: true }).locator('option').allInnerTexts();
  result.embeddings = await page.getByLabel('Embedding', { exact: true }).locator('option').allInnerTexts();
  // the pickers write into the prompts: <lora:NAME:W> into the prompt, an embedding's name into either
  if (await page.getByRole('button', { name: 'Add LoRA to prompt' }).isEnabled()) {
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('a red circle');
    await page.getByLabel('LoRA weight').fill('0.8');
    await page.getByRole('button', { name: 'Add LoRA to prompt' }).click();
    result.promptWithLora = await page.getByRole('textbox', { name: 'Prompt', exact: true }).inputValue();
  }
  if (await page.getByRole('button', { name: 'Add embedding to negative prompt' }).isEnabled()) {
    await page.getByRole('button', { name: 'Add embedding to negative prompt' }).click();
    result.negativeWithEmbedding = await page.getByRole('textbox', { name: 'Negative prompt' }).inputValue();
  }
  await page.getByRole('textbox', { name: 'Negative prompt' }).fill(''); // the demo model takes no embedding
  result.storedKey = await page.evaluate(() => localStorage.getItem('ldm4j.apiKey'));
  await page.reload(); // the key is kept in the browser: no second prompt
  await page.locator('body[data-connected="true"]').waitFor();
  result.keyPanelHiddenAfterReload = await page.locator('#key-panel').isHidden();

  // 2. txt2img with Ctrl+Enter: live preview, then the result in the gallery with its parameters.
  const prompt = page.getByRole('textbox', { name: 'Prompt', exact: true });
  await prompt.fill('a red circle');
  await page.getByLabel('Steps', { exact: true }).fill('24');
  await page.getByLabel('Seed', { exact: true }).fill('42');
  await prompt.press('Control+Enter');
  const first = page.getByRole('img', { name: /Generated image 1 of 1: a red circle/ });
  await first.waitFor({ timeout: 60_000 });
  result.previewUpdates = Number(await page.locator('#preview').getAttribute('data-updates'));
  result.previewSrcIsPng = (await page.locator('#preview').getAttribute('src')).startsWith('data:image/png;base64,');
  result.generateStatus = await page.locator('#status').innerText();
  result.firstParameters = await page.locator('.result').first().locator('pre.parameters').textContent();
  result.firstSeed = await page.locator('.result').first().getAttribute('data-seed');
  // the centre pixel of the result: the demo model draws the red circle there
  result.firstCentre = await first.evaluate((img) => window.testPixels(img, [[0.5, 0.5]]).then((p) => p[0]));
  result.firstSize = await first.evaluate((img) => [img.naturalWidth, img.naturalHeight]);
  await page.getByRole('button', { name: /Reuse last seed/ }).click();
  result.reusedSeed = await page.getByLabel('Seed', { exact: true }).inputValue();
  await page.locator('.result').first().locator('details summary').click();
  await page.screenshot({ path: join(shots, 'generate.png'), fullPage: true });
  await page.getByRole('button', { name: 'Random seed' }).click();
  result.randomSeedField = await page.getByLabel('Seed', { exact: true }).inputValue();

  // 3. Cancel a running generation: the server's task stream ends with "cancelled" (disconnect).
  await page.getByLabel('Steps', { exact: true }).fill(String(cancelSteps));
  await page.getByRole('button', { name: 'Generate' }).click();
  await page.locator('#status[data-state="running"]').waitFor({ timeout: 30_000 });
  await page.waitForFunction(() => Number(document.getElementById('progress').value) >= 3);
  await page.screenshot({ path: join(shots, 'progress.png') });
  const cancelledTask = await page.evaluate(() => document.body.dataset.task);
  // a second tab (same browser: the key is already saved) queues behind the running generation
  const second = await context.newPage();
  await second.goto(`${base}/`);
  await second.locator('body[data-connected="true"]').waitFor();
  await second.getByRole('textbox', { name: 'Prompt', exact: true }).fill('a green square');
  await second.getByLabel('Steps', { exact: true }).fill('8');
  await second.getByRole('button', { name: 'Generate' }).click();
  await second.locator('#status[data-state="queued"]').filter({ hasText: 'running or waiting' }).waitFor({ timeout: 30_000 });
  result.queuedStatus = await second.locator('#status').innerText();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.locator('#status[data-state="cancelled"]').waitFor({ timeout: 30_000 });
  result.cancelStatus = await page.locator('#status').innerText();
  // what the server says, asked from here (not through the page)
  const auth = { Authorization: `Bearer ${key}` };
  const events = await (await fetch(`${base}/ldm4j/progress/${cancelledTask}`, { headers: auth })).text();
  const last = JSON.parse(events.trim().split('\n').filter((l) => l.startsWith('data:')).pop().slice(5));
  result.cancelServerEvent = last;
  result.cancelLastStep = Math.max(...events.split('\n').filter((l) => l.includes('"step"'))
    .map((l) => JSON.parse(l.slice(5)).step));
  result.galleryAfterCancel = await page.locator('.result').count();
  await second.getByRole('img', { name: /Generated image 1 of 1: a green square/ }).waitFor({ timeout: 60_000 });
  result.queuedThenDone = await second.locator('#status').innerText();
  // the queued tab ran at once after the cancel (8 steps), and nothing runs now: the 500 steps were not finished
  result.progressAfterCancel = await (await fetch(`${base}/sdapi/v1/progress`, { headers: auth })).json();
  await second.close();

  // 4. Inpainting round trip: send the result to img2img, paint a mask, generate; outside the mask is kept.
  await page.getByLabel('Steps', { exact: true }).fill('24');
  await page.getByRole('button', { name: 'Send to img2img' }).first().click();
  await page.getByRole('radio', { name: /Image to image/ }).isChecked();
  const mask = page.locator('#mask-canvas');
  const box = await mask.boundingBox();
  // paint the centre of the image, where the red circle is
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
  await page.mouse.down();
  for (const [fx, fy] of [[0.7, 0.3], [0.7, 0.4], [0.3, 0.4], [0.3, 0.5], [0.7, 0.5], [0.7, 0.6], [0.3, 0.6], [0.3, 0.7], [0.7, 0.7]]) {
    await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy, { steps: 8 });
  }
  await page.mouse.up();
  result.maskState = await page.locator('#mask-state').innerText();
  await prompt.fill('a blue square');
  await page.getByLabel('Denoising strength', { exact: true }).fill('1');
  await page.screenshot({ path: join(shots, 'inpaint.png'), fullPage: true });
  await page.getByRole('button', { name: 'Generate' }).click();
  const inpainted = page.getByRole('img', { name: /Generated image 1 of 1: a blue square/ });
  await inpainted.waitFor({ timeout: 60_000 });
  result.inpaintStatus = await page.locator('#status').innerText();
  // pixels of the source (red circle) and the inpainted result: in the painted centre and far outside it
  result.inpaintPixels = await page.evaluate(async () => {
    const imgs = [...document.querySelectorAll('.result img')];
    const pick = async (img) => {
      const [centre, corner, edge] = await window.testPixels(img, [[0.5, 0.5], [0.05, 0.05], [0.95, 0.5]]);
      return { centre, corner, edge };
    };
    return { result: await pick(imgs[0]), source: await pick(imgs[1]) };
  });
  result.inpaintParameters = await page.locator('.result').first().locator('pre.parameters').textContent();
  await page.screenshot({ path: join(shots, 'inpaint-result.png'), fullPage: true });

  // 5. Hires fix: 256 x 256 (20 steps) upscaled by 2 with 4 second-pass steps; the result is 512 x 512 with its parameters.
  await page.getByRole('radio', { name: 'Text to image' }).check();
  await prompt.fill('a green circle');
  await page.getByRole('textbox', { name: 'Negative prompt' }).fill('');
  await page.getByLabel('Width').selectOption('256');
  await page.getByLabel('Height').selectOption('256');
  await page.getByLabel('Steps', { exact: true }).fill('20');
  await page.getByRole('checkbox', { name: 'Hires fix' }).check();
  await page.getByLabel('Upscale by').fill('2');
  await page.getByLabel('Upscaler').selectOption('Latent');
  await page.getByLabel('Hires steps').fill('4');
  await page.getByLabel('Hires strength').fill('0.6');
  result.hiresSizeNote = await page.locator('#hires-size').innerText();
  await page.getByRole('button', { name: 'Generate' }).click();
  const hires = page.getByRole('img', { name: /Generated image 1 of 1: a green circle/ });
  await hires.waitFor({ timeout: 60_000 });
  result.hiresStatus = await page.locator('#status').innerText();
  result.hiresSize = await hires.evaluate((img) => img.decode().then(() => [img.naturalWidth, img.naturalHeight]));
  result.hiresCentre = await hires.evaluate((img) => window.testPixels(img, [[0.5, 0.5]]).then((p) => p[0]));
  result.hiresProgressMax = Number(await page.locator('#progress').getAttribute('max'));
  result.hiresParameters = await page.locator('.result').first().locator('pre.parameters').textContent();
  result.hiresSummary = await page.locator('.result').first().locator('figcaption p.small').innerText();
  await page.locator('.result').first().locator('details summary').click();
  await page.screenshot({ path: join(shots, 'hires.png'), fullPage: true });

  // 6. Phone width: one column, nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('radio', { name: 'Text to image' }).check();
  await page.evaluate(() => window.scrollTo(0, 0));
  result.phoneOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.screenshot({ path: join(shots, 'phone.png') });

  result.generateButton = await page.getByRole('button', { name: 'Generate' }).count();
  result.consoleErrors = consoleErrors;
  result.externalRequests = external;
  result.apiCalls = apiCalls.length;
  result.apiCallsWithoutKey = apiCalls.filter((c) => c.authorization !== `Bearer ${key}`);
} catch (e) {
  const state = page ? await page.evaluate(() => ({
    status: document.getElementById('status')?.textContent,
    error: document.getElementById('error')?.textContent,
    server: document.getElementById('server-state')?.textContent,
  })).catch(() => null) : null;
  console.error(`FAILED: ${e.message}\npage state: ${JSON.stringify(state)}\nseen so far: ${JSON.stringify(result)}`);
  await page?.screenshot({ path: join(shots, 'failure.png'), fullPage: true }).catch(() => {});
  process.exitCode = 1;
} finally {
  await browser.close();
}
if (process.exitCode) {
  process.exit();
}
console.log(`RESULT ${JSON.stringify(result)}`);
