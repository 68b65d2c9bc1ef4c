// Issue 10.9 in the browser, on the demo region (`verzuim serve --demo`, demo "today" Friday
// 9 July 2027): a school starting mid-year.
//
// The beheerder imports two new pupils with their registrations since 1 August: Mila Start
// (7901) absent without permission 21 t/m 24 September 2026 (relatief verzuim) and Jesse Start
// (7902) sick 5 t/m 6 October 2026 (ziekmelding). The import's result lists both signals as
// waiting for review ("te beoordelen na import"), without tasks. The coordinator's inbox says
// two signals wait and links the review page; there Jesse's sick report is marked handled outside
// verzuim (with a date; a sick report takes no note) and Mila's relatief verzuim as needing action. The inbox then
// shows Mila's tasks and nothing of Jesse; Jesse's dossier keeps the decision as history. Every
// page is checked with axe-core; with VERZUIM_SCREENSHOTS the import's result and the review page
// are written as `import-gevonden.png` and `import-beoordelen.png`.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { login, noViolations, step, submit } from './lib.mjs';

const SCHOOL = '99XX00';
const PUPILS =
  'pupil_id;name;birth_date;group;municipality;enrolled_from;bsn\n' +
  '7901;Mila Start;04-05-2019;7-8;Enschede;22-08-2022;400276872\n' +
  '7902;Jesse Start;12-01-2019;7-8;Enschede;22-08-2022;\n';
const REGISTRATIONS =
  'pupil_id,code,start,end\n' +
  '7901,ongeoorloofd,2026-09-21,2026-09-24\n' +
  '7902,ziek,2026-10-05,2026-10-06\n';

async function shot(page, shots, name) {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

export async function midyearSuite(browser, base, shots) {
  await step('halverwege beginnen: import -> beoordelen -> alleen actie nodig in de taken', async () => {
    const admin = await (await browser.newContext()).newPage();
    await login(admin, base, 'beheer@obs-de-esch.example');
    await admin.goto(`${base}/beheer/importeren`);
    await noViolations(admin, 'importeren');
    const cutoff = await admin.getByLabel('Signalen beoordelen van vóór').inputValue();
    if (cutoff !== '2027-07-09') throw new Error(`de grensdatum is standaard ${cutoff}, niet vandaag`);
    await admin.locator('#pupils').setInputFiles({
      name: 'pupils.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(PUPILS),
    });
    await admin.locator('#registrations').setInputFiles({
      name: 'registrations.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(REGISTRATIONS),
    });
    await submit(admin, admin.getByRole('button', { name: 'Importeren' }));
    const found = admin.locator('table.import-found');
    if (!(await found.count())) {
      throw new Error(`de import noemt geen gevonden signalen: ${await admin.locator('main').innerText()}`);
    }
    const text = await found.innerText();
    for (const want of ['Mila Start', 'Relatief verzuim', 'Jesse Start', 'Ziekmelding']) {
      if (!text.includes(want)) throw new Error(`de gevonden signalen noemen "${want}" niet: ${text}`);
    }
    await noViolations(admin, 'importresultaat');
    await shot(admin, shots, 'import-gevonden');
    await admin.context().close();

    const coord = await (await browser.newContext()).newPage();
    await login(coord, base, 'coordinator@obs-de-esch.example');
    await coord.goto(`${base}/taken`);
    const before = await coord.locator('main').innerText();
    if (before.includes('Mila Start') || before.includes('Jesse Start')) {
      throw new Error('signalen uit de import gaven al taken voor de beoordeling');
    }
    if (!/2 signalen uit de import wachten op uw beoordeling/.test(before)) {
      throw new Error('de inbox zegt niet dat er signalen uit de import wachten');
    }
    await submit(coord, coord.getByRole('link', { name: 'Signalen na import beoordelen' }));
    if (!coord.url().endsWith('/import-beoordelen')) throw new Error(`de link leidt naar ${coord.url()}`);
    await noViolations(coord, 'signalen na import beoordelen');
    await shot(coord, shots, 'import-beoordelen');

    const row = (name, kind) =>
      coord.locator('table.import-review tbody tr', {
        has: coord.locator('th', { hasText: name }),
        hasText: kind,
      });
    const jesse = row('Jesse Start', 'Ziekmelding');
    await jesse.getByLabel('Afgehandeld op').fill('2026-10-06');
    // A sick report's decision takes no note: the nature of an illness is never stored.
    if (await jesse.getByLabel('Toelichting (optioneel)').count()) {
      throw new Error('de beslissing over een ziekmelding heeft een veld voor een toelichting');
    }
    await row('Mila Start', 'Relatief verzuim').getByLabel('Toelichting (optioneel)').waitFor();
    await submit(coord, jesse.getByRole('button', { name: /^Buiten verzuim afgehandeld/ }));
    let notice = await coord.locator('.notice-ok').innerText();
    if (!/vastgelegd als buiten verzuim afgehandeld/.test(notice)) {
      throw new Error(`na "buiten verzuim afgehandeld": ${notice} ${await coord.locator('main').innerText()}`);
    }
    await submit(coord, row('Mila Start', 'Relatief verzuim').getByRole('button', { name: /^Actie nodig/ }));
    notice = await coord.locator('.notice-ok').innerText();
    if (!/actie nodig\. 2 taken aangemaakt/.test(notice)) throw new Error(`na "actie nodig": ${notice}`);
    await noViolations(coord, 'signalen na import beoordeeld');

    await coord.goto(`${base}/taken`);
    const after = await coord.locator('main').innerText();
    if (!after.includes('Mila Start')) throw new Error('Mila heeft geen taken na "actie nodig"');
    if (after.includes('Jesse Start')) throw new Error('Jesse heeft taken, maar is buiten verzuim afgehandeld');
    if (after.includes('uit de import wacht')) throw new Error('de inbox zegt nog dat signalen wachten');
    await noViolations(coord, 'taken na de beoordeling');

    await coord.goto(`${base}/leerlingen/${SCHOOL}/7902`);
    const history = await coord.locator('#import-signalen').innerText();
    for (const want of ['Buiten verzuim afgehandeld op 06-10-2026']) {
      if (!history.includes(want)) throw new Error(`het dossier van Jesse mist "${want}": ${history}`);
    }
    await noViolations(coord, 'dossier met een signaal uit de import');
    await coord.context().close();
  });
}
