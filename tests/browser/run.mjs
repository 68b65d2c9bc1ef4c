// Browser tests of the verzuim web pages, in Debian's Chromium driven by playwright-core.
//
//   VERZUIM_URL=http://127.0.0.1:PORT node tests/browser/run.mjs [suite …]
//
// The server must run `verzuim serve --demo` on a fresh database (crates/cli/tests/it/browser.rs
// starts it and runs this script). Suites (all by default):
//
// - `pages`: logs in as every demo role, visits every page reachable from the role's landing
//   page (one page per route shape, two links deep), and asserts for each: status 200, no console
//   error (a CSP violation is one), axe-core finds no WCAG 2.1 A/AA violation. Takes a screenshot of
//   each role's landing page.
// - `keyboard`: a teacher registers a pupil absent and undoes it with the keyboard alone.
// - `chain`: the whole chain of the card's 16-hour rule (see chain.mjs).
// - `ggd`: a GGD-JGZ referral with "niet verschenen" and the school's follow-up (see chain.mjs).
// - `card`: issue 11: leerplicht's verwijzing zorg, a conversation with parents and pupil
//   together and the oproep letter; the school's invitation on a lesson day (a holiday refused),
//   the consultation with the samenwerkingsverband, the printed dossier (see card.mjs).
// - `pupils`: issue 10.5-10.8: a missing BSN added from the blocked melding's link, the melding
//   made; a case closed (refused while its melding runs), reopened; the inbox per pupil, the
//   pupil list and the Dutch audit log (see pupils.mjs).
// - `region`: issue 11: the prikactie around the herfstvakantie and the year in figures as
//   leerplicht, axe-checked and screenshotted (see region.mjs).
// - `mail`: issue 12: a user's e-mail choices and the demo mailbox (see mail.mjs).
// - `parents`: issue 12, the parents' portal on a phone: invitation, password, sick report,
//   recovery, two leave requests decided by the director and by leerplicht, the letters (see
//   parents.mjs).
// - `midyear`: issue 10.9: a school starting mid-year imports its registrations since 1 August;
//   the old signals wait for the coordinator's review; one handled outside verzuim, one needing
//   action; only the latter's tasks in the inbox (see midyear.mjs).
// - `second_factor`: setting up a second factor (TOTP), signing in with a code and with a
//   recovery code, the beheerder's reset and requirement (see second_factor.mjs).
//
// Environment: VERZUIM_URL (required), CHROMIUM (default /usr/bin/chromium), VERZUIM_SCREENSHOTS
// (directory for the screenshots; default: none are written).
//
// Exit code 0 when every check passed; 1 with every failure listed otherwise.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch, ROLES, login, checkPage, report, failures, step } from './lib.mjs';
import { chainSuite, ggdSuite } from './chain.mjs';
import { secondFactorSuite } from './second_factor.mjs';
import { pupilSuite } from './pupils.mjs';
import { regionSuite } from './region.mjs';
import { mailSuite } from './mail.mjs';
import { cardSuite } from './card.mjs';
import { parentsSuite } from './parents.mjs';
import { midyearSuite } from './midyear.mjs';

const BASE = process.env.VERZUIM_URL;
if (!BASE) {
  console.error('VERZUIM_URL ontbreekt: het adres van een `verzuim serve --demo`.');
  process.exit(2);
}
const SHOTS = process.env.VERZUIM_SCREENSHOTS || '';

/// Paths never followed by the crawler: leaving the session, files, the API.
const SKIP = [/^\/uitloggen/, /^\/api\//, /\/brieven\//, /\.(pdf|json|csv)(\?|$)/, /^\/static\//];

/// A path's route shape: numbers and pupil/school ids replaced, so that one page per shape is
/// checked (the first link of each).
function shape(path) {
  const [p, q] = path.split('?');
  const segs = p.split('/').map((s, i, all) => {
    if (all[1] === 'leerlingen' && i >= 2) return ':id';
    if (/^\d+$/.test(s)) return ':n';
    return s;
  });
  const keys = q ? [...new URLSearchParams(q).keys()].sort().join(',') : '';
  return segs.join('/') + (keys ? `?${keys}` : '');
}

async function pagesSuite(browser) {
  for (const role of ROLES) {
    await step(`pages ${role.key}`, async () => {
      const context = await browser.newContext(
        role.phone ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } : {},
      );
      const page = await context.newPage();
      const landing = await login(page, BASE, role.email);
      if (SHOTS) {
        mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: join(SHOTS, `${role.key}.png`), fullPage: true });
      }
      const seen = new Set();
      let frontier = [landing];
      for (let depth = 0; depth < 3 && frontier.length; depth++) {
        const next = [];
        for (const path of frontier) {
          const s = shape(path);
          if (seen.has(s) || SKIP.some((r) => r.test(path))) continue;
          seen.add(s);
          const links = await checkPage(page, BASE, path, `${role.key} ${path}`);
          next.push(...links);
        }
        frontier = next;
      }
      console.log(`  ${role.key}: ${seen.size} pagina's gecontroleerd`);
      await context.close();
    });
  }
}

async function keyboardSuite(browser) {
  await step('keyboard register', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await login(page, BASE, 'leerkracht@obs-de-esch.example');
    await page.goto(`${BASE}/registreren`);
    // The first pupil's "absent" buttons: reach one with Tab alone.
    const first = page.locator('ul.klas > li').first();
    const name = (await first.locator('.leerling-naam').innerText()).trim();
    const target = first.locator('form.codes button').nth(1);
    const targetId = await target.getAttribute('id');
    let reached = false;
    for (let i = 0; i < 80 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate((id) => document.activeElement?.id === id, targetId);
    }
    if (!reached) throw new Error(`de knop ${targetId} is met Tab niet bereikbaar`);
    const word = (await target.innerText()).trim();
    await page.keyboard.press('Enter');
    const row = page.locator(`#${(await first.getAttribute('id'))}`);
    await row.locator('ul.regs li').first().waitFor({ timeout: 5000 });
    const regs = await row.locator('ul.regs').innerText();
    if (!regs.toLowerCase().includes(word.toLowerCase().split(' ')[0])) {
      throw new Error(`na Enter staat "${word}" niet bij ${name}: ${regs}`);
    }
    // Undo with the keyboard: focus the undo button and press Enter.
    const undo = row.locator('form.undo button').first();
    await undo.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      (id) => !document.querySelector(`#${id} ul.regs`),
      await first.getAttribute('id'),
      { timeout: 5000 },
    );
    await context.close();
  });
}

const SUITES = {
  pages: pagesSuite,
  keyboard: keyboardSuite,
  chain: (browser, base) => chainSuite(browser, base, SHOTS),
  ggd: (browser, base) => ggdSuite(browser, base, SHOTS),
  card: cardSuite,
  pupils: (browser, base) => pupilSuite(browser, base, SHOTS),
  region: (browser, base) => regionSuite(browser, base, SHOTS),
  mail: (browser, base) => mailSuite(browser, base, SHOTS),
  parents: (browser, base) => parentsSuite(browser, base, SHOTS),
  midyear: (browser, base) => midyearSuite(browser, base, SHOTS),
  // Last: it makes a demo organisation require a second factor.
  second_factor: (browser, base) => secondFactorSuite(browser, base, SHOTS),
};

const wanted = process.argv.slice(2);
const browser = await launch();
try {
  for (const [name, suite] of Object.entries(SUITES)) {
    if (wanted.length && !wanted.includes(name)) continue;
    await suite(browser, BASE);
  }
} finally {
  await browser.close();
}
process.exit(report() ? 0 : 1);
