// Issue 10, points 5 to 8 in the browser, on the demo region (`verzuim serve --demo`):
//
// pupil_data (10.5): Ayoub Boerrigter (1031) has no BSN. The teacher registers him absent
//   without permission on three lesson days: relatief verzuim and its melding task. The
//   coordinator's dossier says the melding cannot be made yet and links to his data page; there
//   the coordinator enters a BSN that fails the elfproef (a Dutch message, nothing stored), then
//   a valid one; back in the dossier the melding is made.
// after a melding (10.3): the teacher adds a sick day inside the melding's period; leerplicht's
//   list marks the melding "gewijzigd na melding" and its page keeps the period as sent and says
//   what changed. The coordinator records an event on Ayoub's events page and corrects it to an
//   older date: refused without a reason, done with one, the old version kept on the page.
// cases (10.6): the coordinator tries to close Ayoub's case while the melding runs (refused,
//   saying which melding), withdraws the melding, closes the case with a reason and reopens it.
// The new pages (the pupil's data, the inbox per pupil, the pupil list, the audit log) are checked
// with axe-core and, with VERZUIM_SCREENSHOTS, written as screenshots.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { login, noViolations, step, submit } from './lib.mjs';

const SCHOOL = '99XX00';
const PUPIL = { id: '1031', name: 'Ayoub Boerrigter', group: '7-8' };
const DAYS = ['2027-06-28', '2027-06-29', '2027-07-01'];
const DOSSIER = `/leerlingen/${SCHOOL}/${PUPIL.id}`;

async function shot(page, shots, name) {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

async function alertText(page) {
  const alerts = page.locator('.alert, .notice-error');
  return (await alerts.count()) ? (await alerts.allInnerTexts()).join(' | ') : '';
}

export async function pupilSuite(browser, base, shots) {
  await step('leerlinggegevens: BSN aanvullen -> melding kan', async () => {
    const teacher = await (await browser.newContext()).newPage();
    await login(teacher, base, 'leerkracht@obs-de-esch.example');
    for (const day of DAYS) {
      await teacher.goto(`${base}/registreren?groep=${PUPIL.group}&datum=${day}`);
      const row = teacher.locator('ul.klas > li', { has: teacher.locator('h2', { hasText: PUPIL.name }) });
      await row.getByRole('button', { name: `${PUPIL.name}: ongeoorloofd` }).click();
      await row.locator('ul.regs li').first().waitFor({ timeout: 5000 });
    }
    await teacher.context().close();

    const coord = await (await browser.newContext()).newPage();
    await login(coord, base, 'coordinator@obs-de-esch.example');
    await coord.goto(`${base}${DOSSIER}`);
    const meld = coord.locator('li.task', { has: coord.getByRole('button', { name: 'Melding doen' }) }).first();
    if (!(await meld.count())) throw new Error('Ayoub heeft geen meldtaak na drie dagen ongeoorloofd');
    const warning = await meld.locator('.alert').first().innerText();
    if (!/Melden kan nog niet: de leerling heeft geen BSN of onderwijsnummer/.test(warning)) {
      throw new Error(`het meldformulier zegt niet wat ontbreekt: ${warning}`);
    }
    await noViolations(coord, 'dossier met een geblokkeerde melding');
    await submit(coord, meld.getByRole('link', { name: 'Leerlinggegevens aanvullen' }));
    if (!coord.url().endsWith(`${DOSSIER}/gegevens`)) {
      throw new Error(`de link leidt naar ${coord.url()}, niet naar de gegevens van Ayoub`);
    }
    await noViolations(coord, 'leerlinggegevens');
    await coord.getByLabel('BSN', { exact: true }).fill('123456789');
    await submit(coord, coord.getByRole('button', { name: 'Gegevens opslaan' }));
    const refused = await alertText(coord);
    if (!/BSN: "123456789" is geen geldig BSN/.test(refused)) {
      throw new Error(`een BSN dat de elfproef niet doorstaat werd niet geweigerd: ${refused || 'geen melding'}`);
    }
    await noViolations(coord, 'leerlinggegevens met een fout');
    await coord.getByLabel('BSN', { exact: true }).fill('400276872');
    await coord.getByLabel('Telefoon ouders').fill('0658201144');
    await submit(coord, coord.getByRole('button', { name: 'Gegevens opslaan' }));
    const saved = await coord.locator('.notice-ok').innerText();
    if (!/Opgeslagen: BSN/.test(saved)) throw new Error(`niet opgeslagen: ${saved}`);
    await shot(coord, shots, 'leerling-gegevens');

    await submit(coord, coord.getByRole('link', { name: 'Naar het dossier' }));
    const meld2 = coord.locator('li.task', { has: coord.getByRole('button', { name: 'Melding doen' }) }).first();
    if (await meld2.locator('.alert').count()) {
      throw new Error(`na het aanvullen is de melding nog geblokkeerd: ${await meld2.locator('.alert').first().innerText()}`);
    }
    const reason = meld2.locator('textarea[name="reden"]');
    if (!(await reason.inputValue()).trim()) await reason.fill('Onbekend.');
    const actions = meld2.locator('textarea[name="acties"]');
    if (!(await actions.inputValue()).trim()) await actions.fill('Gebeld met vader.');
    const date = meld2.locator('input[name="datum"]');
    if (await date.count()) {
      await date.fill('2027-07-08');
      await meld2.locator('select[name="hoe"]').selectOption('telefoon');
    }
    await submit(coord, meld2.getByRole('button', { name: 'Melding doen' }));
    const after = await alertText(coord);
    if (after) throw new Error(`melding doen gaf een fout: ${after}`);
    if (!/De melding is gedaan/.test(await coord.locator('main').innerText())) {
      throw new Error('na het aanvullen van het BSN is de melding niet gedaan');
    }
    await coord.context().close();
  });

  await step('na de melding: een toevoeging markeert haar, gebeurtenissen corrigeren met een reden', async () => {
    // The teacher adds a sick day inside the melding's period (28 June t/m 1 July 2027).
    const teacher = await (await browser.newContext()).newPage();
    await login(teacher, base, 'leerkracht@obs-de-esch.example');
    await teacher.goto(`${base}/registreren?groep=${PUPIL.group}&datum=2027-06-30`);
    const row = teacher.locator('ul.klas > li', { has: teacher.locator('h2', { hasText: PUPIL.name }) });
    await row.getByRole('button', { name: `${PUPIL.name}: ziek` }).click();
    await row.locator('ul.regs li', { hasText: 'ziek' }).first().waitFor({ timeout: 5000 });
    await teacher.context().close();

    const coord = await (await browser.newContext()).newPage();
    await login(coord, base, 'coordinator@obs-de-esch.example');
    await coord.goto(`${base}${DOSSIER}`);
    const municipality = (await coord.locator('dt', { hasText: 'Woongemeente' }).first()
      .locator('xpath=following-sibling::dd').innerText()).trim();
    const meldingId = (await coord.locator('li[id^="melding-"]').first().getAttribute('id')).replace('melding-', '');

    // Leerplicht sees the melding as sent, marked, with what changed after it.
    const lpMail = { Enschede: 'leerplicht@enschede.example', Hengelo: 'leerplicht@hengelo.example', Oldenzaal: 'leerplicht@oldenzaal.example' }[municipality];
    if (!lpMail) throw new Error(`geen leerplichtambtenaar in de demo voor ${municipality}`);
    const lp = await (await browser.newContext()).newPage();
    await login(lp, base, lpMail);
    await lp.goto(`${base}/meldingen`);
    const listed = lp.locator('tr', { has: lp.locator(`a[href="/meldingen/${meldingId}"]`) });
    if (!/Gewijzigd na melding/.test(await listed.innerText())) {
      throw new Error(`de melding staat niet gemarkeerd in de lijst van leerplicht: ${await listed.innerText()}`);
    }
    await lp.goto(`${base}/meldingen/${meldingId}`);
    const detail = await lp.locator('main').innerText();
    for (const want of ['28-06-2027 t/m 01-07-2027', 'Registratie ziek 30-06-2027 toegevoegd na de melding', 'Neemt kennis van een wijziging na de melding']) {
      if (!detail.includes(want)) throw new Error(`de melding bij leerplicht mist "${want}": ${detail}`);
    }
    await noViolations(lp, 'melding gewijzigd na melding');
    await shot(lp, shots, 'melding-gewijzigd');
    await lp.context().close();

    // The coordinator records an event on the events page and corrects it to an older date:
    // refused without a reason, done with one; the old version stays on the page.
    await submit(coord, coord.getByRole('link', { name: /^Gebeurtenissen/ }));
    if (!coord.url().endsWith(`${DOSSIER}/gebeurtenissen`)) throw new Error(`de link leidt naar ${coord.url()}`);
    await noViolations(coord, 'gebeurtenissen (leeg)');
    const add = coord.locator('section', { has: coord.getByRole('heading', { name: 'Gebeurtenis vastleggen' }) });
    await add.getByLabel('Soort').selectOption('overig_verzuim');
    await add.getByLabel('Datum').fill('2027-07-05');
    await add.getByLabel('Toelichting').fill('Zorgen thuis; gesprek met moeder gepland.');
    await submit(coord, add.getByRole('button', { name: 'Vastleggen' }));
    if (!/De gebeurtenis is vastgelegd/.test(await coord.locator('main').innerText())) {
      throw new Error(`niet vastgelegd: ${await alertText(coord)}`);
    }
    const event = coord.locator('article.event').first();
    await event.locator('summary').click();
    await event.getByLabel('Datum').fill('2027-06-21');
    await submit(coord, event.getByRole('button', { name: /^Correctie opslaan/ }));
    const refused = await alertText(coord);
    if (!/Geef een reden voor deze correctie/.test(refused)) {
      throw new Error(`een oudere correctie zonder reden werd niet geweigerd: ${refused || 'geen melding'}`);
    }
    await noViolations(coord, 'gebeurtenis corrigeren geweigerd');
    const open = coord.locator('article.event').first();
    await open.getByLabel('Reden van de correctie').fill('Verkeerde week ingevuld.');
    await submit(coord, open.getByRole('button', { name: /^Correctie opslaan/ }));
    const text = await coord.locator('main').innerText();
    for (const want of ['De gebeurtenis is gecorrigeerd', 'Overig verzuim op 21-06-2027', 'Eerdere versies', 'Overig verzuim op 05-07-2027', 'reden: Verkeerde week ingevuld.']) {
      if (!text.includes(want)) throw new Error(`de gebeurtenissen missen "${want}": ${text}`);
    }
    await noViolations(coord, 'gebeurtenis gecorrigeerd');
    await shot(coord, shots, 'gebeurtenissen');
    await coord.context().close();
  });

  await step('dossier sluiten (geweigerd zolang de melding loopt) en heropenen', async () => {
    const coord = await (await browser.newContext()).newPage();
    await login(coord, base, 'coordinator@obs-de-esch.example');
    await coord.goto(`${base}${DOSSIER}`);
    const caseBlock = coord.locator('section.case', { has: coord.locator('li[id^="melding-"]', { hasText: 'geregistreerd' }) }).first();
    if (!(await caseBlock.count())) throw new Error('geen dossier met een lopende melding bij Ayoub');
    const caseId = (await caseBlock.getAttribute('id')).replace('zaak-', '');
    const closeForm = async (label) => {
      const block = coord.locator(`#zaak-${caseId}`);
      await block.locator('details#sluiten-' + caseId + ' > summary').click();
      await block.locator(`#sr-${caseId}`).fill('Verzuim gestopt, ouders gesproken.');
      await submit(coord, block.getByRole('button', { name: label }));
    };
    await closeForm('Dossier sluiten');
    const refused = await coord.locator(`#zaak-${caseId} .alert`).first().innerText();
    if (!/kan niet dicht: melding \d+ aan leerplicht loopt nog/.test(refused)) {
      throw new Error(`sluiten met een lopende melding werd niet geweigerd met de reden: ${refused}`);
    }
    await noViolations(coord, 'dossier sluiten geweigerd');
    await shot(coord, shots, 'dossier-sluiten-geweigerd');
    // Withdraw the melding, then close.
    const melding = coord.locator(`#zaak-${caseId} li[id^="melding-"]`).first();
    await melding.locator('summary', { hasText: 'Melding intrekken' }).click();
    await melding.getByLabel('Reden').fill('Onterecht: ouders hadden verlof gevraagd.');
    await submit(coord, melding.getByRole('button', { name: 'Intrekken' }));
    await closeForm('Dossier sluiten');
    if (!/Het dossier is gesloten\./.test(await coord.locator('main').innerText())) {
      throw new Error(`het dossier is niet gesloten: ${await alertText(coord)}`);
    }
    await noViolations(coord, 'dossier gesloten');
    await closeForm('Heropenen');
    const text = await coord.locator('main').innerText();
    if (!/Het dossier is heropend\./.test(text) || !/Dossier heropend: Verzuim gestopt/.test(text)) {
      throw new Error('het dossier is niet heropend, of de tijdlijn noemt het niet');
    }
    await noViolations(coord, 'dossier heropend');
    await coord.locator(`#zaak-${caseId}`).scrollIntoViewIfNeeded();
    await shot(coord, shots, 'dossier-heropend');

    // The inbox per pupil, the pupil list and (as beheerder) the audit log.
    await coord.goto(`${base}/taken`);
    if (!(await coord.locator('section.inbox-pupil').count())) throw new Error('de inbox groepeert niet per leerling');
    if (!(await coord.locator('details.as-needed').count())) throw new Error('de inbox toont geen "zo nodig"-acties apart');
    await noViolations(coord, 'taken');
    await shot(coord, shots, 'taken');
    await coord.goto(`${base}/leerlingen?sorteer=-uren`);
    await noViolations(coord, 'leerlingen gesorteerd op uren');
    await shot(coord, shots, 'leerlingen');
    await coord.context().close();

    const admin = await (await browser.newContext()).newPage();
    await login(admin, base, 'beheer@obs-de-esch.example');
    await admin.goto(`${base}/beheer/auditlog?leerling=${PUPIL.id}`);
    const first = await admin.locator('tr.audit-row').first().innerText();
    if (!/Leerlinggegevens/.test(first) || /pupil_|registration:/.test(first)) {
      throw new Error(`de auditlog is niet in het Nederlands: ${first}`);
    }
    await noViolations(admin, 'auditlog');
    await shot(admin, shots, 'auditlog');
    await admin.context().close();
  });
}
