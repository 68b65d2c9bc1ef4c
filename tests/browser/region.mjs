// Issue 11: leerplicht's regional pages in Chromium. As the demo's leerplichtambtenaar: the
// prikactie around the herfstvakantie (chosen with the form: school year and holiday), with the
// table per school and no named pupil without a melding; the year in figures with its SVG chart
// and the CSV link. Each page is checked with axe-core (WCAG 2.1 A/AA: 0 violations) and
// screenshotted as `prikactie.png` and `jaarcijfers.png`.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { login, noViolations, step, submit } from './lib.mjs';

export async function regionSuite(browser, base, shots) {
  await step('region prikactie en jaarcijfers', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await login(page, base, 'leerplicht@enschede.example');
    // From the nav.
    await submit(page, page.getByRole('link', { name: 'Prikactie' }));
    await page.getByRole('heading', { name: 'Prikactie rondom schoolvakanties' }).waitFor();
    await page.getByLabel('Schooljaar').selectOption('2026');
    await page.getByLabel('Vakantie', { exact: true }).selectOption('Herfstvakantie');
    await submit(page, page.getByRole('button', { name: 'Toon' }));
    const url = new URL(page.url());
    if (url.searchParams.get('vakantie') !== 'Herfstvakantie') {
      throw new Error(`de vakantie is niet gekozen: ${page.url()}`);
    }
    const table = page.getByRole('table', { name: /per school/ });
    await table.waitFor();
    const head = await table.locator('thead').innerText();
    for (const col of ['Laatste lesdag ervoor', 'Eerste lesdag erna', 'Signalen mogelijk luxe verzuim']) {
      if (!head.includes(col)) throw new Error(`kolom "${col}" ontbreekt: ${head}`);
    }
    const rows = await table.locator('tr.school-row').count();
    if (rows < 1) throw new Error('geen school in de tabel van de prikactie');
    // OBS De Esch has a studiedag on Friday 9 October: its last lesson day before is the 8th.
    const esch = await table.locator('tr.school-row', { hasText: 'OBS De Esch' }).innerText();
    if (!esch.includes('08-10-2026') || !esch.includes('19-10-2026')) {
      throw new Error(`de lesdagen rond de herfstvakantie (8 en 19 oktober) ontbreken: ${esch}`);
    }
    await noViolations(page, 'prikactie');
    if (shots) {
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'prikactie.png'), fullPage: true });
    }

    await submit(page, page.getByRole('link', { name: 'Jaarcijfers' }));
    await page.getByRole('heading', { name: /Jaarcijfers leerplicht 2026-2027/ }).waitFor();
    const chart = page.locator('svg[role="img"]');
    if ((await chart.count()) !== 1) throw new Error('de grafiek van de jaarcijfers ontbreekt');
    const title = (await chart.locator('title').first().textContent()) ?? '';
    if (!title.includes('Jaarcijfers leerplicht')) throw new Error(`grafiektitel: ${title}`);
    // Readable: wide enough, and no legend entry or label overlaps another or a bar (issue 11).
    const layout = await chart.evaluate((svg) => {
      const box = (e) => e.getBoundingClientRect();
      const hit = (a, b) =>
        a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
      const texts = [...svg.querySelectorAll('.chart-legend, .chart-label, .chart-value')].map(box);
      const bars = [...svg.querySelectorAll('rect')].filter((r) => r.querySelector('title')).map(box);
      let overlaps = 0;
      texts.forEach((t, i) => {
        texts.slice(i + 1).forEach((u) => { if (hit(t, u)) overlaps += 1; });
        bars.forEach((b) => { if (hit(t, b)) overlaps += 1; });
      });
      return { width: box(svg).width, overlaps, bars: bars.length };
    });
    if (layout.width < 600 || layout.overlaps > 0 || layout.bars === 0) {
      throw new Error(`de grafiek is niet leesbaar: ${JSON.stringify(layout)}`);
    }
    const meldingen = page.getByRole('table', { name: /Meldingen per soort verzuim/ });
    const total = await meldingen.locator('tr', { hasText: 'Totaal meldingen' }).innerText();
    const n = Number(total.trim().split(/\s+/).pop());
    if (!(n > 0)) throw new Error(`de demo heeft meldingen, de jaarcijfers tonen: ${total}`);
    const csv = page.getByRole('link', { name: 'Download als CSV' });
    if ((await csv.getAttribute('href')) !== '/jaarcijfers.csv?jaar=2026') {
      throw new Error(`CSV-link: ${await csv.getAttribute('href')}`);
    }
    const res = await page.request.get(`${base}/jaarcijfers.csv?jaar=2026`);
    const body = await res.text();
    if (res.status() !== 200 || !body.includes(`Totaal meldingen`)) {
      throw new Error(`CSV ${res.status()}: ${body.slice(0, 200)}`);
    }
    await noViolations(page, 'jaarcijfers');
    if (shots) await page.screenshot({ path: join(shots, 'jaarcijfers.png'), fullPage: true });
    await context.close();
  });
}
