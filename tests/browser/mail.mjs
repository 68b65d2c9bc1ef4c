// Issue 12, e-mail (docs/email.md), in the demo: the coordinator chooses the daily summary for
// feedback mail on /e-mail and sees the choice kept; the demo mailbox /demo/mail shows the mail
// the demo wrote (leerplicht's new meldingen, the parents' messages), names no child, and
// filters per address; axe on both pages. Screenshots `email-keuzes` and `demo-mailbox`.

import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { login, checkPage, noViolations, step, submit } from './lib.mjs';

export async function mailSuite(browser, base, shots) {
  await step('mail choices', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await login(page, base, 'coordinator@obs-de-esch.example');
    await page.getByRole('link', { name: 'E-mail' }).click();
    await page.waitForURL(`${base}/e-mail`);
    await checkPage(page, base, '/e-mail', 'e-mail');
    const group = page.getByRole('group', { name: /Terugkoppeling/ });
    await group.getByLabel('In de dagelijkse samenvatting').check();
    await submit(page, page.getByRole('button', { name: 'Opslaan' }));
    await page.getByText('Uw keuzes zijn opgeslagen.').waitFor();
    await page.reload();
    if (!(await page.getByRole('group', { name: /Terugkoppeling/ }).getByLabel('In de dagelijkse samenvatting').isChecked())) {
      throw new Error('de keuze "dagelijks" voor terugkoppeling is niet bewaard');
    }
    await noViolations(page, 'e-mail na opslaan');
    if (shots) {
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'email-keuzes.png'), fullPage: true });
    }
    await context.close();
  });

  await step('demo mailbox', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await checkPage(page, base, '/demo/mail', 'demo-mailbox');
    const text = await page.locator('main').innerText();
    for (const want of ['Nieuwe melding van schoolverzuim', 'leerplicht@enschede.example', 'Bericht van school over uw kind']) {
      if (!text.includes(want)) throw new Error(`de demo-mailbox toont "${want}" niet`);
    }
    // The demo's pupils by name and BSN appear in no mail (examples/demo/pupils.csv).
    for (const never of ['Noor Jansen', '400276872', 'Anouk Jansen']) {
      if (text.includes(never)) throw new Error(`de demo-mailbox toont "${never}"`);
    }
    await page.getByLabel('Aan').selectOption('leerplicht@enschede.example');
    await submit(page, page.getByRole('button', { name: 'Tonen' }));
    const shown = await page.locator('.mail-head dd:first-of-type').allInnerTexts();
    if (!shown.length || shown.some((to) => to.trim() !== 'leerplicht@enschede.example')) {
      throw new Error(`het filter toont andere adressen: ${shown.join(', ')}`);
    }
    await noViolations(page, 'demo-mailbox gefilterd');
    if (shots) {
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'demo-mailbox.png'), fullPage: false });
    }
    await context.close();
  });
}
