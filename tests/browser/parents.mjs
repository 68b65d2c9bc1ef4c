// Issue 12, the parents' portal in the browser, on a phone (390 × 844), on the demo region:
//
// The coordinator of OBS De Esch invites the parent of Emma de Vries (1002) and copies the
// one-time link. On a phone, the parent opens it, sets a password, lands on "Mijn kinderen",
// reports Emma sick from today and better from tomorrow, chooses the daily summary for letters
// (E-mail) and changes the password (Wachtwoord), reads what the school and leerplicht
// do, and asks for two leaves: gewichtige omstandigheden of 2 school days (the director decides)
// and of 12 school days (the leerplichtambtenaar of Oldenzaal decides, after the director's
// advice). The director grants the first and advises on the second; leerplicht grants the
// second; the parent reads both decisions and their letters (PDF). Every page of the walk is
// checked with axe-core; with VERZUIM_SCREENSHOTS the phone's pages are written as screenshots.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { login, noViolations, step, submit } from './lib.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const PUPIL = '/leerlingen/99XX00/1002';
const PASSWORD = 'een-eigen-wachtwoord-van-emma';
const NEW_PASSWORD = 'een-nieuw-wachtwoord-van-mark';

async function shot(page, shots, name) {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

async function text(page) {
  return (await page.locator('main').innerText()).replace(/\s+/g, ' ');
}

/// Asserts the page's main text contains `want`.
async function says(page, want, label) {
  const t = await text(page);
  if (!t.includes(want)) throw new Error(`${label}: "${want}" staat niet op de pagina: ${t.slice(0, 600)}`);
}

/// The id of a leave request from the parent's detail page URL.
function leaveId(page) {
  const m = new URL(page.url()).pathname.match(/^\/ouders\/verlof\/(\d+)$/);
  if (!m) throw new Error(`geen verlofaanvraag-pagina: ${page.url()}`);
  return m[1];
}

export async function parentsSuite(browser, base, shots) {
  let link = '';
  let parent = null;
  const ids = {};
  await step('ouderportaal: uitnodiging door de school', async () => {
    const coord = await (await browser.newContext()).newPage();
    await login(coord, base, 'coordinator@obs-de-esch.example');
    await coord.goto(`${base}${PUPIL}/gegevens`);
    await submit(coord, coord.getByRole('link', { name: 'Ouderportaal' }));
    await noViolations(coord, 'ouderportaal van de leerling');
    await submit(coord, coord.getByRole('button', { name: 'Ouder uitnodigen' }));
    link = await coord.getByLabel('Uitnodigingslink').inputValue();
    if (!link.includes('/ouders/uitnodiging/')) throw new Error(`geen link: ${link}`);
    await says(coord, 'Uitnodiging voor het ouderportaal van OBS De Esch', 'uitnodiging');
    await noViolations(coord, 'uitnodiging gemaakt');
    await shot(coord, shots, 'ouders-uitnodigen');
    await coord.context().close();
  });

  await step('ouderportaal: wachtwoord kiezen op de telefoon', async () => {
    parent = await (await browser.newContext(PHONE)).newPage();
    await parent.goto(link);
    await noViolations(parent, 'uitnodiging openen');
    await shot(parent, shots, 'ouders-uitnodiging');
    await parent.getByLabel('Uw naam').fill('Mark de Vries');
    await parent.getByLabel('Nieuw wachtwoord', { exact: true }).fill(PASSWORD);
    await parent.getByLabel('Nieuw wachtwoord (nogmaals)').fill(PASSWORD);
    await submit(parent, parent.getByRole('button', { name: 'Wachtwoord instellen' }));
    if (new URL(parent.url()).pathname !== '/ouders') throw new Error(`na het wachtwoord: ${parent.url()}`);
    await says(parent, 'Emma de Vries', 'mijn kinderen');
    await noViolations(parent, 'mijn kinderen');
  });

  await step('ouderportaal: ziek melden en beter melden', async () => {
    await parent.getByLabel('vandaag').check();
    await submit(parent, parent.getByRole('button', { name: 'Ziek melden' }));
    await says(parent, 'Uw kind is ziek gemeld', 'ziek gemeld');
    await says(parent, 'Ziek gemeld vanaf', 'ziek gemeld');
    await noViolations(parent, 'ziek gemeld');
    await shot(parent, shots, 'ouders-ziek-gemeld');
    await parent.getByLabel('morgen').check();
    await submit(parent, parent.getByRole('button', { name: 'Beter melden' }));
    await says(parent, 'Uw kind is beter gemeld', 'beter gemeld');
    await noViolations(parent, 'beter gemeld');
    await submit(parent, parent.getByRole('link', { name: 'Wat de school en leerplicht doen' }));
    await says(parent, 'Afwezigheid dit schooljaar', 'kind');
    await says(parent, 'Ziek', 'de ziekmelding als registratie');
    await noViolations(parent, 'wat de school en leerplicht doen');
    await shot(parent, shots, 'ouders-kind');
  });

  await step('ouderportaal: e-mail per soort en wachtwoord wijzigen', async () => {
    await submit(parent, parent.getByRole('link', { name: 'E-mail', exact: true }));
    await says(parent, 'Besluit op een verlofaanvraag', 'e-mail (ouder)');
    await noViolations(parent, 'e-mail (ouder)');
    await parent.getByRole('group', { name: 'Een brief over uw kind' })
      .getByLabel('In de dagelijkse samenvatting').check();
    await submit(parent, parent.getByRole('button', { name: 'Opslaan' }));
    await says(parent, 'Uw keuzes zijn opgeslagen', 'e-mail opgeslagen');
    const checked = await parent.getByRole('group', { name: 'Een brief over uw kind' })
      .getByLabel('In de dagelijkse samenvatting').isChecked();
    if (!checked) throw new Error('de keuze voor brieven is niet bewaard');
    await noViolations(parent, 'e-mail opgeslagen');
    await shot(parent, shots, 'ouders-e-mail');
    await submit(parent, parent.getByRole('link', { name: 'Wachtwoord', exact: true }));
    await noViolations(parent, 'wachtwoord (ouder)');
    await parent.getByLabel('Huidig wachtwoord').fill(PASSWORD);
    await parent.getByLabel('Nieuw wachtwoord', { exact: true }).fill(NEW_PASSWORD);
    await parent.getByLabel('Nieuw wachtwoord (nogmaals)').fill(NEW_PASSWORD);
    await submit(parent, parent.getByRole('button', { name: 'Wachtwoord wijzigen' }));
    await says(parent, 'Uw wachtwoord is gewijzigd', 'wachtwoord gewijzigd');
    await noViolations(parent, 'wachtwoord gewijzigd');
    await shot(parent, shots, 'ouders-wachtwoord');
    await parent.goto(`${base}/ouders`);
  });

  await step('ouderportaal: verlof aanvragen (2 en 12 schooldagen)', async () => {
    for (const [key, from, until] of [
      ['kort', '2027-09-06', '2027-09-07'],
      ['lang', '2027-09-13', '2027-09-28'],
    ]) {
      await submit(parent, parent.getByRole('link', { name: 'Verlof aanvragen' }));
      await noViolations(parent, 'verlof aanvragen');
      if (key === 'kort') await shot(parent, shots, 'ouders-verlof-aanvragen');
      await parent.getByLabel(/Verlof wegens gewichtige omstandigheden/).check();
      await parent.getByLabel('Eerste dag').fill(from);
      await parent.getByLabel('Laatste dag').fill(until);
      await parent.getByLabel(/Gewichtige omstandigheid/).selectOption(key === 'kort' ? 'huwelijk' : 'ernstige_ziekte');
      await submit(parent, parent.getByRole('button', { name: 'Aanvraag indienen' }));
      ids[key] = leaveId(parent);
      await says(parent, 'Uw verlofaanvraag is ingediend', 'aanvraag ingediend');
      await says(parent, key === 'kort' ? 'art. 14 lid 1' : 'art. 14 lid 3', 'wie beslist');
      await noViolations(parent, 'aanvraag ingediend');
      await parent.goto(`${base}/ouders/99XX00/1002`);
    }
  });

  await step('ouderportaal: de directeur beslist en adviseert, leerplicht beslist', async () => {
    const dir = await (await browser.newContext()).newPage();
    await login(dir, base, 'directeur@obs-de-esch.example');
    await dir.goto(`${base}/verlof/${ids.kort}`);
    await noViolations(dir, 'verlofaanvraag (directeur)');
    await submit(dir, dir.getByRole('button', { name: 'Toekennen' }));
    await says(dir, 'toegekend', 'besluit directeur');
    await dir.goto(`${base}/verlof/${ids.lang}`);
    await dir.getByRole('textbox', { name: 'Advies' }).fill('Positief: de school kent de situatie van het gezin.');
    await submit(dir, dir.getByRole('button', { name: 'Advies geven' }));
    await says(dir, 'advies van de directeur gegeven', 'advies');
    await dir.context().close();
    const lpa = await (await browser.newContext()).newPage();
    await login(lpa, base, 'leerplicht@oldenzaal.example');
    await lpa.goto(`${base}/verlof`);
    await noViolations(lpa, 'verlofaanvragen (leerplicht)');
    await lpa.goto(`${base}/verlof/${ids.lang}`);
    await says(lpa, 'Positief: de school kent de situatie', 'advies zichtbaar');
    await submit(lpa, lpa.getByRole('button', { name: 'Toekennen' }));
    await says(lpa, 'toegekend', 'besluit leerplicht');
    await lpa.context().close();
  });

  await step('ouderportaal: de besluiten en hun brieven', async () => {
    for (const key of ['kort', 'lang']) {
      await parent.goto(`${base}/ouders/verlof/${ids[key]}`);
      await says(parent, 'toegekend', `besluit ${key}`);
      await noViolations(parent, `besluit ${key}`);
      if (key === 'lang') await shot(parent, shots, 'ouders-besluit');
      const href = await parent.getByRole('link', { name: 'Besluit (pdf)' }).getAttribute('href');
      const res = await parent.request.get(`${base}${href}`);
      if (res.status() !== 200 || res.headers()['content-type'] !== 'application/pdf') {
        throw new Error(`de brief ${href}: ${res.status()} ${res.headers()['content-type']}`);
      }
      const body = await res.body();
      if (body.subarray(0, 4).toString() !== '%PDF') throw new Error(`${href} is geen pdf`);
    }
    await parent.goto(`${base}/ouders`);
    await shot(parent, shots, 'ouders-kinderen');
    await parent.context().close();
  });
}
