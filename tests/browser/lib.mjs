// Shared parts of the browser tests: launching Chromium, logging in, checking a page with
// axe-core, and collecting failures.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/// The demo's public password (`verzuim serve --demo` prints it).
export const PASSWORD = 'demo-wachtwoord-2026';

/// One demo user per role (the main page of each is screenshotted as `<key>.png`).
export const ROLES = [
  { key: 'leerkracht', email: 'leerkracht@obs-de-esch.example' },
  { key: 'verzuimcoordinator', email: 'coordinator@obs-de-esch.example' },
  { key: 'leerplichtambtenaar', email: 'leerplicht@enschede.example' },
  { key: 'jgz', email: 'jgz@ggd-twente.example' },
  { key: 'beheerder', email: 'beheer@obs-de-esch.example' },
  { key: 'directeur', email: 'directeur@obs-de-esch.example' },
  { key: 'ouder', email: 'ouder@demo-ouders.example', phone: true },
];

const failed = [];
let passed = 0;

export function failures() {
  return failed;
}

/// Runs one named check; a thrown error is recorded as its failure.
export async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed.push({ name, error: e });
    console.log(`FOUT ${name}: ${e?.message ?? e}`);
  }
}

/// Prints the summary; true when nothing failed.
export function report() {
  console.log(`\n${passed} geslaagd, ${failed.length} mislukt`);
  for (const f of failed) console.log(`\n--- ${f.name} ---\n${f.error?.stack ?? f.error}`);
  return failed.length === 0;
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
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
}

/// Logs in through the form with the keyboard (Tab from the e-mail field, Enter to submit) and
/// returns the path of the landing page.
export async function login(page, base, email, password = PASSWORD) {
  await page.goto(`${base}/inloggen`);
  await page.getByLabel('E-mailadres').fill(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  const url = new URL(page.url());
  if (url.pathname === '/inloggen') {
    throw new Error(`inloggen als ${email} lukte niet: ${await page.locator('main').innerText()}`);
  }
  return url.pathname + url.search;
}

/// Visits `path`, asserts status 200, no console errors and no axe-core violations (WCAG 2.1 A
/// and AA), and returns the same-origin links on the page.
export async function checkPage(page, base, path, label) {
  const errors = [];
  const onConsole = (m) => {
    if (m.type() === 'error') errors.push(m.text());
  };
  const onError = (e) => errors.push(String(e));
  page.on('console', onConsole);
  page.on('pageerror', onError);
  try {
    const res = await page.goto(`${base}${path}`);
    if (!res || res.status() !== 200) {
      throw new Error(`${label}: status ${res?.status()}`);
    }
    await page.waitForLoadState('load');
    const violations = await axe(page);
    if (violations.length) {
      throw new Error(`${label}: axe-core vond ${violations.length} probleem(en):\n${describe(violations)}`);
    }
    if (errors.length) {
      throw new Error(`${label}: fouten in de console:\n${errors.join('\n')}`);
    }
    return await page.$$eval('a[href]', (as) =>
      as
        .map((a) => new URL(a.href))
        .filter((u) => u.origin === location.origin)
        .map((u) => u.pathname + u.search),
    );
  } finally {
    page.off('console', onConsole);
    page.off('pageerror', onError);
  }
}

/// axe-core's violations of WCAG 2.0/2.1 A and AA on the current page.
export async function axe(page) {
  const loaded = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!loaded) await page.evaluate(AXE);
  const result = await page.evaluate(() =>
    window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    }),
  );
  return result.violations;
}

function describe(violations) {
  return violations
    .map(
      (v) =>
        `  [${v.impact}] ${v.id}: ${v.help}\n` +
        v.nodes
          .slice(0, 5)
          .map((n) => `      ${n.target.join(' ')}: ${n.failureSummary?.split('\n').join(' ')}`)
          .join('\n'),
    )
    .join('\n');
}

/// Fails with axe-core's violations of the current page, if any.
export async function noViolations(page, label) {
  const v = await axe(page);
  if (v.length) {
    throw new Error(`${label}: axe-core: ${v.map((x) => `${x.id} (${x.nodes[0]?.target})`).join(', ')}`);
  }
}

/// Submits a form by clicking its button (or follows a link) and waits for the page that answers.
export async function submit(page, button) {
  await Promise.all([page.waitForNavigation(), button.click()]);
}
