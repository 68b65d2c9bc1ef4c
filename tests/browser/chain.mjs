// The card's chains end to end in the browser, on the demo region (`verzuim serve --demo`,
// "today" 9 July 2027), each party in its own browser context, everything by clicking and typing.
//
// chain: a teacher of OBS De Esch registers Hidde Zwiers (group 7-8, Enschede, aged 12) absent
//   without permission on three lesson days (17¼ lesson hours in 4 lesweken): the 16-hour signal
//   shows in the register row; the coordinator sees the task in the inbox, informs the parents and
//   makes the melding from the pre-filled form and downloads the letter for the parents (PDF); on
//   the melding's DUO page it checks what the verzuimregister asks and records DUO's
//   meldingsnummer (issue 11); leerplicht Enschede finds it among the incoming meldingen, takes it
//   up, records a conversation and closes it with a DUO reason and afspraken; the school then has
//   the afspraken as a task and records that DUO closed the melding too.
// ggd: the coordinator refers a pupil with a sickness signal to GGD-JGZ; GGD Twente records an
//   invitation, a private note and "niet verschenen zonder tegenbericht"; the school gets the task
//   to judge the no-show, judges "zonder goede reden" and gets the task to meld; GGD-JGZ's note
//   never shows at school. Issue 11: the referral carries the school's aanmeldingsformulier; the
//   jeugdarts sees the parents' contact data and the pupil's age, makes the invitation letter
//   (PDF) and feeds afspraken back; the school sees exactly those afspraken with a task.
//
// Each page the chain passes is also checked with axe-core.

import { join } from 'node:path';
import { login, noViolations, step, submit } from './lib.mjs';

const SCHOOL = '99XX00';
const PUPIL = { id: '1037', name: 'Hidde Zwiers', group: '7-8' };
const DAYS = ['2027-06-28', '2027-06-29', '2027-07-01'];

/// The `li.task` of the dossier whose text contains `text`.
function task(page, text) {
  return page.locator('li.task', { hasText: text }).first();
}

async function fillParents(page, item) {
  const date = item.locator('input[name="datum"]');
  if (await date.count()) {
    await date.fill('2027-07-08');
    await item.locator('select[name="hoe"]').selectOption('telefoon');
  }
}

export async function chainSuite(browser, base, shots = '') {
  await step('chain: 16 uur ongeoorloofd -> melding -> DUO -> leerplicht sluit -> terugkoppeling school', async () => {
    let duoPage = '';
    // 1. The teacher registers three whole days.
    const teacher = await (await browser.newContext()).newPage();
    await login(teacher, base, 'leerkracht@obs-de-esch.example');
    for (const day of DAYS) {
      await teacher.goto(`${base}/registreren?groep=${PUPIL.group}&datum=${day}`);
      const row = teacher.locator('ul.klas > li', { has: teacher.locator('h2', { hasText: PUPIL.name }) });
      await row.getByRole('button', { name: `${PUPIL.name}: ongeoorloofd` }).click();
      await row.locator('ul.regs li').first().waitFor({ timeout: 5000 });
      if (day === DAYS[DAYS.length - 1]) {
        const badges = await row.locator('.badge').allInnerTexts();
        if (!badges.some((b) => /relatief verzuim/i.test(b))) {
          throw new Error(`na de derde dag toont de rij geen signaal relatief verzuim: ${badges.join(', ') || 'geen badges'}`);
        }
        await noViolations(teacher, 'registreren na het signaal');
      }
    }
    await teacher.context().close();

    // 2. The coordinator: inbox, dossier, parents informed, melding.
    const coord = await (await browser.newContext()).newPage();
    await login(coord, base, 'coordinator@obs-de-esch.example');
    await coord.goto(`${base}/taken`);
    // The inbox groups the tasks per pupil (issue 10.7).
    const inboxRow = coord
      .locator('section.inbox-pupil', { has: coord.locator('h2', { hasText: PUPIL.name }) })
      .locator('tr', { hasText: 'Meldt bij de leerplichtambtenaar' });
    if (!(await inboxRow.count())) throw new Error('de melding-taak van Hidde staat niet in de inbox');
    await submit(coord, inboxRow.first().getByRole('link').first());
    if (!coord.url().includes(`/leerlingen/${SCHOOL}/${PUPIL.id}`)) {
      throw new Error(`de inbox leidt naar ${coord.url()}, niet naar het dossier`);
    }
    if (!(await coord.locator('svg[role="img"]').count())) throw new Error('het dossier toont geen jaarkalender');
    await noViolations(coord, 'dossier met open taken');
    const talk = task(coord, 'Gaat in gesprek met ouders');
    await fillParents(coord, talk);
    await submit(coord, talk.getByRole('button', { name: 'Afronden' }));
    const meld = task(coord, 'Meldt bij de leerplichtambtenaar');
    await meld.locator('.melding-preview').waitFor();
    const preview = await meld.locator('.melding-preview').innerText();
    if (!/Enschede/.test(preview)) throw new Error(`het meldformulier noemt de woongemeente niet: ${preview}`);
    const reason = meld.locator('textarea[name="reden"]');
    if (!(await reason.inputValue()).trim()) await reason.fill('Onbekend; ouders geven geen verklaring.');
    const actions = meld.locator('textarea[name="acties"]');
    if (!(await actions.inputValue()).trim()) await actions.fill('Gesprek met ouders op 8 juli.');
    await fillParents(coord, meld);
    await submit(coord, meld.getByRole('button', { name: 'Melding doen' }));
    if (await coord.locator('.alert').count()) {
      throw new Error(`melding doen gaf een fout: ${await coord.locator('.alert').first().innerText()}`);
    }
    if (!/geregistreerd/i.test(await coord.locator('main').innerText())) {
      throw new Error('na "Melding doen" toont het dossier geen melding met status geregistreerd');
    }
    // The letter to the parents about the melding, as a PDF: made with the dossier's form (a
    // POST, with the page's Origin), then read at its own address (a GET that changes nothing).
    const form = coord.locator('form[action$="/brieven"]').filter({
      has: coord.locator('input[name="soort"][value="overzicht_melding"]'),
    }).first();
    if (!(await form.count())) throw new Error('het dossier biedt geen brief "overzicht melding"');
    const fields = {};
    for (const input of await form.locator('input[type="hidden"]').all()) {
      fields[await input.getAttribute('name')] = await input.getAttribute('value');
    }
    const made = await coord.request.post(base + (await form.getAttribute('action')), {
      form: fields,
      headers: { origin: base },
    });
    const bytes = await made.body();
    if (made.status() !== 200 || bytes.subarray(0, 4).toString() !== '%PDF') {
      throw new Error(`de brief is geen PDF (status ${made.status()})`);
    }
    const letterUrl = made.url();
    if (!/\/zaken\/\d+\/brieven\/\d+$/.test(new URL(letterUrl).pathname)) {
      throw new Error(`na het maken staat de brief niet op een eigen adres: ${letterUrl}`);
    }
    const again = await coord.request.get(letterUrl);
    if (Buffer.compare(await again.body(), bytes) !== 0) {
      throw new Error('de brief opnieuw lezen geeft een andere brief');
    }
    await coord.reload();
    if (!(await coord.locator(`a[href="${new URL(letterUrl).pathname}"]`).count())) {
      throw new Error('het dossier noemt de gemaakte brief niet');
    }

    // 2b. Issue 11: the melding for DUO's verzuimregister. verzuim cannot submit it; the page shows
    // what the register asks (to copy or download), then records DUO's meldingsnummer.
    await submit(coord, coord.locator('li[id^="melding-"] a', { hasText: 'Melding' }).first());
    await submit(coord, coord.getByRole('link', { name: 'Verzuimregister van DUO' }));
    duoPage = new URL(coord.url()).pathname;
    const duoFields = await coord.locator('table.duo-fields').innerText();
    for (const [field, value] of [
      ['Soort verzuim', /16 uur/i],
      ['Begindatum', /\d\d-\d\d-2027/],
      ['Verzuimde dagen en uren', /28-06-2027/],
    ]) {
      const line = duoFields.split('\n').find((l) => l.startsWith(field));
      if (!line || !value.test(line.slice(field.length))) {
        throw new Error(`het DUO-veld "${field}" klopt niet: ${line ?? 'ontbreekt'}`);
      }
    }
    // The demo school has named no contact person for the register: the page says what is
    // missing and where the beheerder fills it in.
    const contact = duoFields.split('\n').find((l) => l.startsWith('Contactpersoon'));
    if (!contact || /[A-Za-z]/.test(contact.slice('Contactpersoon'.length))) {
      throw new Error(`de demo-school heeft onverwacht een contactpersoon: ${contact ?? 'geen regel'}`);
    }
    const missing = await coord.locator('section[aria-labelledby="ontbreekt-kop"]').innerText();
    if (!/contactpersoon van de school \(Beheer, contactpersoon verzuimregister\)/.test(missing)) {
      throw new Error(`de pagina zegt niet dat de contactpersoon ontbreekt: ${missing}`);
    }
    const csv = await coord.request.get(`${base}${duoPage}.csv`);
    if (csv.status() !== 200 || !(await csv.text()).includes('Begindatum')) {
      throw new Error(`de CSV voor de leerlingadministratie ontbreekt (status ${csv.status()})`);
    }
    await noViolations(coord, 'melding voor het verzuimregister van DUO');
    // Incomplete for DUO: recording the submission is refused and says why.
    await coord.getByLabel('Meldingsnummer van DUO').fill('VZ-2027-004711');
    await submit(coord, coord.getByRole('button', { name: 'Indiening vastleggen' }));
    const refused = await coord.locator('.alert').first().innerText();
    if (!/nog niet compleet voor DUO/.test(refused)) {
      throw new Error(`een onvolledige melding werd als ingediend vastgelegd: ${refused}`);
    }
    // The coordinator names the school's contact person for the register, then records it.
    await coord.goto(`${base}/beheer/contactpersoon`);
    await coord.getByLabel('Naam').fill('Anne de Vries');
    await coord.getByLabel('Functie').fill('Intern begeleider');
    await coord.getByLabel('Telefoonnummer').fill('053-4801234');
    await coord.getByLabel('E-mailadres').fill('ib@obs-de-esch.example');
    await submit(coord, coord.getByRole('button', { name: 'Opslaan' }));
    await coord.goto(`${base}${duoPage}`);
    // What only the school knows: a parent's phone number, saved with the register's other data.
    await coord.getByLabel('Telefoonnummer', { exact: true }).fill('06-12345678');
    await coord.getByLabel('een ouder of verzorger').check();
    await submit(coord, coord.getByRole('button', { name: 'Gegevens opslaan' }));
    if (await coord.locator('section[aria-labelledby="ontbreekt-kop"]').count()) {
      throw new Error(`na aanvullen ontbreekt nog: ${await coord.locator('section[aria-labelledby="ontbreekt-kop"]').innerText()}`);
    }
    if (!/Anne de Vries/.test(await coord.locator('table.duo-fields').innerText())) {
      throw new Error('de contactpersoon staat niet bij de gegevens voor DUO');
    }
    await coord.getByLabel('Meldingsnummer van DUO').fill('VZ-2027-004711');
    await submit(coord, coord.getByRole('button', { name: 'Indiening vastleggen' }));
    const submitted = await coord.locator('main').innerText();
    if (!/Ingediend bij DUO op \d\d-\d\d-\d{4}, meldingsnummer VZ-2027-004711/.test(submitted)) {
      throw new Error('de indiening bij DUO met meldingsnummer staat niet op de pagina');
    }
    if (!(await coord.locator('section[aria-labelledby="duostatus-kop"] td', { hasText: 'geregistreerd' }).count())) {
      throw new Error('na de indiening toont de pagina geen status "geregistreerd" bij DUO');
    }
    await coord.context().close();

    // 3. Leerplicht Enschede: incoming, take up, conversation, close.
    const lp = await (await browser.newContext()).newPage();
    await login(lp, base, 'leerplicht@enschede.example');
    await lp.goto(`${base}/meldingen`);
    const first = lp.locator('tbody tr').first();
    if (!(await first.innerText()).includes(PUPIL.name)) {
      throw new Error(`de nieuwe melding staat niet bovenaan: ${await first.innerText()}`);
    }
    await submit(lp, first.getByRole('link', { name: PUPIL.name }));
    await noViolations(lp, 'melding (geregistreerd)');
    await submit(lp, lp.getByRole('button', { name: 'In behandeling nemen' }));
    await lp.getByLabel('Samenvatting').fill('Gesprek met moeder en Hidde; afgesproken dat Hidde weer elke dag komt.');
    await submit(lp, lp.getByRole('button', { name: 'Gesprek vastleggen' }));
    if (!(await lp.locator('main').innerText()).includes('afgesproken dat Hidde weer elke dag komt')) {
      throw new Error('het gesprek staat niet bij de acties van leerplicht');
    }
    await lp.getByLabel('Reden (DUO)').selectOption('verzuim_beeindigd');
    await lp.getByLabel('Afspraken (de school krijgt ze als taak)').fill('Hidde komt weer; school meldt opnieuw bij nieuw verzuim.');
    await submit(lp, lp.getByRole('button', { name: 'Afsluiten' }));
    if (!/afgesloten/i.test(await lp.locator('main').innerText())) throw new Error('de melding is niet afgesloten');
    await noViolations(lp, 'melding (afgesloten)');
    await lp.context().close();

    // 4. The school sees leerplicht's afspraken as a task.
    const back = await (await browser.newContext()).newPage();
    await login(back, base, 'coordinator@obs-de-esch.example');
    await back.goto(`${base}/taken`);
    const feedback = back
      .locator('section.inbox-pupil', { has: back.locator('h2', { hasText: PUPIL.name }) })
      .locator('tr', { hasText: 'Kennisnemen van de afspraken' });
    if (!(await feedback.count())) throw new Error('de school heeft geen taak met de afspraken van leerplicht');
    await back.goto(`${base}/leerlingen/${SCHOOL}/${PUPIL.id}`);
    if (!(await back.locator('main').innerText()).includes('Hidde komt weer')) {
      throw new Error('de afspraken van leerplicht staan niet in het dossier');
    }
    // 4b. DUO closed the melding too: the coordinator records DUO's new status with DUO's reason;
    // the page lists both statuses and sees no difference with verzuim's own.
    await back.goto(`${base}${duoPage}`);
    await back.locator('#duo_status').selectOption('afgesloten');
    await back.locator('#sreden').selectOption({ label: 'Terug naar school' });
    await submit(back, back.getByRole('button', { name: 'Status vastleggen' }));
    const statuses = back.locator('section[aria-labelledby="duostatus-kop"] tbody tr');
    const rows = await statuses.allInnerTexts();
    if (rows.length !== 2 || !/afgesloten/.test(rows[1]) || !/Terug naar school/.test(rows[1])) {
      throw new Error(`de statussen bij DUO kloppen niet: ${rows.join(' | ')}`);
    }
    if (await back.locator('section[aria-labelledby="duostatus-kop"] .alert').count()) {
      throw new Error('de pagina meldt een verschil tussen DUO en verzuim na afsluiten bij beide');
    }
    if (await back.getByRole('button', { name: 'Status vastleggen' }).count()) {
      throw new Error('na een eindstatus van DUO biedt de pagina nog een nieuwe status aan');
    }
    await noViolations(back, 'melding voor DUO (afgesloten)');
    if (shots) await back.screenshot({ path: join(shots, 'melding-duo.png'), fullPage: true });
    await back.context().close();
  });
}

const QUESTION = 'Kan de jeugdarts met de ouders kijken wat nodig is om weer naar school te gaan?';
const AFSPRAKEN = 'Afspraak voor school: de leerling komt voorlopig alleen de ochtenden.';

/// Posts a form of the page the way the browser would (same origin, its fields), without leaving
/// the page: for forms that answer with a PDF. Returns the status, content type and (for an
/// error) the text.
export async function postForm(form) {
  return await form.evaluate(async (f) => {
    const r = await fetch(f.action, { method: 'POST', body: new URLSearchParams(new FormData(f)) });
    const type = r.headers.get('content-type') || '';
    return { status: r.status, type, text: type.includes('pdf') ? '' : await r.text() };
  });
}

export async function ggdSuite(browser, base, shots = '') {
  const SHOTS = shots;
  let referral = '';
  await step('ggd: verwijzing (formulier) -> contact, uitnodiging, brief, afspraken -> niet verschenen -> school', async () => {
    const note = `Eigen notitie GGD ${Date.now()}`;
    // 1. The coordinator refers a pupil (the first open referral task in the inbox).
    const coord = await (await browser.newContext()).newPage();
    await login(coord, base, 'coordinator@obs-de-esch.example');
    await coord.goto(`${base}/taken`);
    const section = coord
      .locator('section.inbox-pupil', { has: coord.locator('tr', { hasText: 'naar de GGD-JGZ' }) })
      .first();
    if (!(await section.count())) throw new Error('de inbox heeft geen verwijstaak');
    const row = section.locator('tr', { hasText: 'naar de GGD-JGZ' }).first();
    const name = (await section.locator('h2 a').first().innerText()).trim();
    await submit(coord, row.getByRole('link').first());
    const dossier = coord.url();
    const refer = coord.locator('li.task', { has: coord.getByRole('button', { name: 'Verwijzen naar de GGD-JGZ' }) }).first();
    await fillParents(coord, refer);
    // The digitaal aanmeldingsformulier (issue 11).
    await refer.getByLabel('Vraag van de school aan de GGD-JGZ').fill(QUESTION);
    await refer.getByLabel('Wat de school al deed').fill('Twee gesprekken met de ouders over de ziekmeldingen.');
    await refer.getByLabel('Toestemming van de ouders').selectOption('ja');
    await submit(coord, refer.getByRole('button', { name: 'Verwijzen naar de GGD-JGZ' }));
    if (await coord.locator('.alert').count()) {
      throw new Error(`verwijzen gaf een fout: ${await coord.locator('.alert').first().innerText()}`);
    }
    await coord.context().close();

    // 2. GGD-JGZ: invitation, note, no-show.
    const jgz = await (await browser.newContext()).newPage();
    await login(jgz, base, 'jgz@ggd-twente.example');
    await jgz.goto(`${base}/verwijzingen`);
    const ref = jgz.locator('tbody tr', { hasText: name }).filter({ hasText: /aangemeld/i }).first();
    if (!(await ref.count())) throw new Error(`GGD-JGZ ziet geen nieuwe verwijzing van ${name}`);
    await submit(jgz, ref.getByRole('link', { name }));
    await noViolations(jgz, 'verwijzing (aangemeld)');
    // Issue 11: the jeugdarts sees how to reach the parents, the pupil's age and the school's form.
    const facts = await jgz.locator('main').innerText();
    for (const shown of ['Contact met ouders en leerling', 'jaar)', QUESTION, 'Toestemming ouders']) {
      if (!facts.includes(shown)) throw new Error(`de verwijzing toont "${shown}" niet`);
    }
    referral = jgz.url();
    if (SHOTS) await jgz.screenshot({ path: join(SHOTS, 'verwijzing-ggd-jgz.png'), fullPage: true });
    await jgz.getByLabel('Datum van de afspraak').fill('2027-07-08');
    await jgz.locator('#u-tijd').fill('10:30');
    await submit(jgz, jgz.getByRole('button', { name: 'Uitnodiging vastleggen' }));
    // The invitation letter to the parents, with the date, time and place the jeugdarts chose.
    const letter = jgz.locator('form', { has: jgz.getByRole('button', { name: 'Brief maken (PDF)' }) });
    await letter.getByLabel('Datum van het gesprek').fill('2027-07-12');
    await letter.getByLabel('Tijd').fill('10:30');
    await letter.getByLabel('Plaats').fill('GGD Twente, Enschede');
    const pdf = await postForm(letter);
    if (pdf.status !== 200 || !pdf.type.includes('application/pdf')) {
      throw new Error(`de uitnodigingsbrief van GGD-JGZ is geen PDF: ${pdf.status} ${pdf.type} ${pdf.text}`);
    }
    // Afspraken for the school.
    await jgz.getByLabel('Afspraken voor de school').fill(AFSPRAKEN);
    await submit(jgz, jgz.getByRole('button', { name: 'Terugkoppelen aan school' }));
    if (!(await jgz.locator('main').innerText()).includes(AFSPRAKEN)) throw new Error('de afspraken staan niet bij de verwijzing');
    await noViolations(jgz, 'verwijzing (afspraken)');
    await jgz.getByLabel('Nieuwe notitie').fill(note);
    await submit(jgz, jgz.getByRole('button', { name: 'Notitie opslaan' }));
    if (!(await jgz.locator('main').innerText()).includes(note)) throw new Error('de notitie staat niet bij de verwijzing');
    await submit(jgz, jgz.getByRole('button', { name: 'Niet verschenen zonder tegenbericht' }));
    if (!/niet verschenen/i.test(await jgz.locator('main').innerText())) {
      throw new Error('de status "niet verschenen zonder tegenbericht" is niet vastgelegd');
    }
    await noViolations(jgz, 'verwijzing (niet verschenen)');
    await jgz.context().close();

    // 3. The school judges the no-show and gets the melding task; the note stays GGD-JGZ's.
    const school = await (await browser.newContext()).newPage();
    await login(school, base, 'coordinator@obs-de-esch.example');
    await school.goto(dossier);
    if ((await school.content()).includes(note)) throw new Error('de notitie van GGD-JGZ is zichtbaar voor de school');
    // GGD-JGZ's afspraken reach the school exactly, with a task to take note.
    const takeNote = task(school, 'Kennisnemen van de afspraken van de GGD-JGZ');
    if (!(await takeNote.count()) || !(await takeNote.innerText()).includes(AFSPRAKEN)) {
      throw new Error('de school heeft geen taak met de afspraken van GGD-JGZ');
    }
    await submit(school, takeNote.getByRole('button', { name: 'Afronden' }));
    const judge = task(school, 'zonder goede reden niet verscheen');
    if (!(await judge.count())) throw new Error('de school heeft geen taak om het niet verschijnen te beoordelen');
    await judge.getByRole('radio', { name: /zonder goede reden/i }).check();
    await fillParents(school, judge);
    await submit(school, judge.getByRole('button', { name: 'Afronden' }));
    if (await school.locator('.alert').count()) {
      throw new Error(`het oordeel gaf een fout: ${await school.locator('.alert').first().innerText()}`);
    }
    const meld = school.locator('li.task', { has: school.getByRole('button', { name: 'Melding doen' }) });
    if (!(await meld.count())) throw new Error('na "zonder goede reden" heeft de school geen taak om te melden');
    await noViolations(school, 'dossier na het oordeel');
    await school.context().close();
  });
}
