// Issue 11, "every action on the card has its place": leerplicht's and the school's new actions
// in the browser, on the demo region (`verzuim serve --demo`, "today" 9 July 2027). GGD-JGZ's
// (the aanmeldingsformulier, the parents' contact data, the invitation letter, the afspraken for
// the school) are walked in chain.mjs's ggd suite.
//
// leerplicht: on Lotte's melding (Enschede, in behandeling) the leerplichtambtenaar records a
//   verwijzing zorg with the organisation and a conversation with parents and pupil together, and
//   makes the oproep letter (PDF) with the date, time and place she chose; a missing time is a
//   Dutch error.
// school: the coordinator invites parents for a talk: a day in the summer holiday is refused
//   with a Dutch message naming the holiday, a lesson day gives the PDF; the consultation with the
//   samenwerkingsverband shows in Jens's dossier; the dossier prints without navigation.
//
// Each page is checked with axe-core.

import { login, noViolations, step, submit } from './lib.mjs';
import { postForm } from './chain.mjs';

const SCHOOL = '99XX00';

export async function cardSuite(browser, base) {
  await step('kaart: leerplicht verwijzing zorg, ouders en leerling samen, oproep (PDF)', async () => {
    const lp = await (await browser.newContext()).newPage();
    await login(lp, base, 'leerplicht@enschede.example');
    await lp.goto(`${base}/meldingen`);
    const row = lp.locator('tbody tr', { hasText: 'Lotte' }).first();
    if (!(await row.count())) throw new Error('leerplicht ziet de melding van Lotte niet');
    await submit(lp, row.getByRole('link').first());
    await noViolations(lp, 'melding (leerplicht)');
    // Verwijzing zorg, with the organisation referred to.
    const zorg = lp.locator('form', { has: lp.getByRole('heading', { name: 'Verwijzing zorg' }) });
    await zorg.getByLabel('Verwezen naar (organisatie)').fill('Wijkteam Enschede-Zuid');
    await zorg.getByLabel('Hoe zijn de ouders geïnformeerd').selectOption('telefoon');
    await submit(lp, zorg.getByRole('button', { name: 'Verwijzing zorg vastleggen' }));
    if (!(await lp.locator('main').innerText()).includes('Verwijzing zorg naar Wijkteam Enschede-Zuid')) {
      throw new Error('de verwijzing zorg staat niet bij de acties');
    }
    // A conversation with parents and pupil together.
    const talk = lp.locator('form', { has: lp.getByRole('heading', { name: 'Gesprek vastleggen' }) });
    await talk.getByLabel('Met wie').selectOption('ouders_en_leerling');
    await talk.getByLabel('Samenvatting').fill('Gesprek met ouders en Lotte samen over het slapen.');
    await submit(lp, talk.getByRole('button', { name: 'Gesprek vastleggen' }));
    if (!(await lp.locator('main').innerText()).includes('Gesprek met ouders en leerling')) {
      throw new Error('het gesprek met ouders en leerling samen staat niet bij de acties');
    }
    // The oproep letter: date, time and place chosen here.
    const oproep = lp.locator('form', { has: lp.getByRole('heading', { name: 'Oproep aan de ouders (brief)' }) });
    await oproep.getByLabel('Waarvoor').selectOption('proces_verbaal');
    await oproep.getByLabel('Datum').fill('2027-07-13');
    await oproep.getByLabel('Plaats').fill('Stadhuis Enschede, kamer 2.14');
    const missing = await postForm(oproep);
    if (missing.status !== 422 || !missing.text.includes('Kies de tijd')) {
      throw new Error(`een oproep zonder tijd gaf geen Nederlandse fout: ${missing.status} ${missing.text}`);
    }
    await oproep.getByLabel('Tijd').fill('14:00');
    const pdf = await postForm(oproep);
    if (pdf.status !== 200 || !pdf.type.includes('application/pdf')) {
      throw new Error(`de oproep is geen PDF: ${pdf.status} ${pdf.type} ${pdf.text}`);
    }
    await noViolations(lp, 'melding (na de acties)');
    await lp.context().close();
  });

  await step('kaart: school nodigt uit op een lesdag, samenwerkingsverband, afdruk', async () => {
    const coord = await (await browser.newContext()).newPage();
    await login(coord, base, 'coordinator@obs-de-esch.example');
    await coord.goto(`${base}/leerlingen/${SCHOOL}/1026`);
    await noViolations(coord, 'dossier Lotte');
    const invite = coord.locator('form.letter-form', {
      has: coord.locator('input[name="soort"][value="uitnodiging_gesprek"]'),
    }).first();
    await invite.getByLabel('Tijd').fill('08:45');
    await invite.getByLabel('Plaats').fill('OBS De Esch, kamer van de intern begeleider');
    // 16 July 2027 lies in the summer holiday: refused, in Dutch, naming it.
    await invite.getByLabel('Datum').fill('2027-07-16');
    const holiday = await postForm(invite);
    if (holiday.status !== 422 || !holiday.text.includes('Zomervakantie')) {
      throw new Error(`een gesprek in de zomervakantie werd niet geweigerd: ${holiday.status} ${holiday.text}`);
    }
    await invite.getByLabel('Datum').fill('2027-07-09');
    const pdf = await postForm(invite);
    if (pdf.status !== 200 || !pdf.type.includes('application/pdf')) {
      throw new Error(`de uitnodiging op een lesdag is geen PDF: ${pdf.status} ${pdf.type} ${pdf.text}`);
    }
    // The dossier prints without the navigation.
    await coord.emulateMedia({ media: 'print' });
    if (await coord.locator('nav.nav').isVisible()) throw new Error('de afdruk toont het menu');
    if (!(await coord.locator('h1').isVisible())) throw new Error('de afdruk toont het dossier niet');
    await coord.emulateMedia({ media: 'screen' });
    // Jens (thuiszitter): the consultation with the samenwerkingsverband, as recorded.
    await coord.goto(`${base}/leerlingen/${SCHOOL}/1030`);
    if (!(await coord.locator('main').innerText()).includes('Overleg met het samenwerkingsverband op')) {
      throw new Error('het overleg met het samenwerkingsverband staat niet in het dossier van Jens');
    }
    await noViolations(coord, 'dossier Jens');
    await coord.context().close();
  });
}
