// The pages in a real browser: Debian's chromium, headless, driven by
// playwright-core.  Run by tests/it/t_30_pages.sh once per stack:
//
//	node pages.js BASE STORE IMAGES_DIR SHOTS_DIR
//
// Each check appends one "PASS: t_30_pages: STORE: what" or "FAIL: ..."
// line to the file named by $RESULTS; screenshots go to SHOTS_DIR.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const [base, store, images, shots] = process.argv.slice(2);
const results = process.env.RESULTS;
const TEST = 't_30_pages';
const ID = '[A-Za-z0-9_-]{8}';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu',
	'--disable-background-networking', '--disable-component-update',
	'--disable-sync', '--no-first-run', '--disable-quic'];

function record(ok, desc, why) {
	const line = `${ok ? 'PASS' : 'FAIL'}: ${TEST}: ${store}: ${desc}` +
	    (ok || !why ? '' : `: ${why}`);
	fs.appendFileSync(results, line.replace(/\n/g, ' ') + '\n');
	if (!ok)
		console.error(line);
}

// check DESC FN: passes when FN (async) returns true; a throw fails it.
async function check(desc, fn) {
	try {
		const got = await fn();
		record(got === true, desc, got === true ? '' : `got ${got}`);
		return got === true;
	} catch (e) {
		record(false, desc, String(e.message).split('\n')[0]);
		return false;
	}
}

async function shot(page, name) {
	await page.screenshot({ path: path.join(shots, `${store}-${name}.png`),
	    fullPage: true });
}

// A fresh profile a context, as a first run of a browser would have.
async function launch(options) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imghost-chromium-'));
	const ctx = await chromium.launchPersistentContext(dir, {
		executablePath: '/usr/bin/chromium', headless: true,
		args: ARGS, ...options });
	ctx.setDefaultTimeout(15000);
	ctx.cleanup = async () => {
		await ctx.close();
		fs.rmSync(dir, { recursive: true, force: true });
	};
	return ctx;
}

// Console errors and script errors of every page of ctx, into problems.
function watch(ctx, problems) {
	const hook = (page) => {
		page.on('pageerror', (e) => problems.push(`script: ${e.message}`));
		page.on('console', (m) => {
			// Statuses the tests ask for (404, 415) are logged
			// too; CSP violations and script errors are not fine.
			if (m.type() === 'error' &&
			    !/^Failed to load resource: the server responded/
			    .test(m.text()))
				problems.push(m.text());
		});
	};
	ctx.pages().forEach(hook);
	ctx.on('page', hook);
}

// drop PAGE B64 NAME: drops a PNG file of those bytes on the zone.
async function drop(page, b64, name) {
	await page.evaluate(({ b64, name }) => {
		const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
		const dt = new DataTransfer();
		dt.items.add(new File([bytes], name, { type: 'image/png' }));
		const zone = document.getElementById('zone');
		for (const type of ['dragenter', 'dragover', 'drop'])
			zone.dispatchEvent(new DragEvent(type,
			    { bubbles: true, cancelable: true, dataTransfer: dt }));
	}, { b64, name });
}

// A PNG of random pixels drawn in the page, as base64: bytes no one else
// uploaded, so its image has no claim but this browser's.
async function randomPng(page) {
	return page.evaluate(async () => {
		const c = document.createElement('canvas');
		c.width = 200;
		c.height = 150;
		const g = c.getContext('2d');
		const d = g.createImageData(c.width, c.height);
		for (let o = 0; o < d.data.length; o += 65536)
			crypto.getRandomValues(d.data.subarray(o, o + 65536));
		for (let i = 3; i < d.data.length; i += 4)
			d.data[i] = 255;
		g.putImageData(d, 0, 0);
		return c.toDataURL('image/png').split(',')[1];
	});
}

async function uploads(ctx) {
	const page = ctx.pages()[0] || await ctx.newPage();
	const file = path.join(images, 'photo.jpg');

	await ctx.grantPermissions(['clipboard-read', 'clipboard-write'],
	    { origin: base });
	await check('the upload page loads', async () =>
	    (await page.goto(base + '/')).status() === 200);
	await check('the script has run (html.js)', async () =>
	    (await page.evaluate(() =>
	    document.documentElement.className)) === 'js');
	await check('the drop zone is visible', () => page.isVisible('#zone'));
	await check('the no-JS submit button is hidden',
	    async () => !(await page.isVisible('button[type=submit]')));
	await shot(page, 'upload-empty');

	// Slow the upload down so the progress bar can be seen moving.
	const cdp = await ctx.newCDPSession(page);
	await cdp.send('Network.enable');
	await cdp.send('Network.emulateNetworkConditions', { offline: false,
	    latency: 0, downloadThroughput: -1, uploadThroughput: 96 * 1024 });
	await page.setInputFiles('#file', file);
	await check('a progress bar shows the upload under way', async () => {
		await page.waitForFunction(() => {
			const p = document.querySelector('.item progress');
			return p && p.value > 0 && p.value < 100;
		});
		return true;
	});
	await shot(page, 'upload-progress');
	await check('the file input upload finishes', async () => {
		await page.waitForSelector('.item.done, .item.failed');
		return page.$eval('.item', (e) => e.className === 'item done' ||
		    e.textContent);
	});
	await cdp.send('Network.emulateNetworkConditions', { offline: false,
	    latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
	const first = await page.$('.item');
	await check('the upload ends done, with the bar at 100%', async () =>
	    first.$eval('progress', (p) => p.value === 100 &&
	    p.closest('.item').classList.contains('done')));
	const links = await first.$$eval('.link input', (l) =>
	    l.map((i) => i.value));
	const pageUrl = links[0], direct = links[1];
	await check('five share links: page, direct, Markdown, BBCode, HTML',
	    async () => (await first.$$eval('.link label', (l) =>
	    l.map((x) => x.textContent).join(','))) ===
	    'Page,Direct,Markdown,BBCode,HTML');
	await check('the page link', async () =>
	    new RegExp(`^${base}/${ID}$`).test(pageUrl) || pageUrl);
	await check('the direct link', async () =>
	    new RegExp(`^${base}/i/${ID}\\.jpg$`).test(direct) || direct);
	await check('Markdown, BBCode and HTML use both', async () =>
	    links[2] === `[![image](${direct})](${pageUrl})` &&
	    links[3] === `[url=${pageUrl}][img]${direct}[/img][/url]` &&
	    links[4] === `<a href="${pageUrl}"><img src="${direct}" alt=""></a>`);
	await check('the thumbnail loads', async () => {
		await page.waitForFunction(() => {
			const i = document.querySelector('.item .thumb img');
			return i && i.complete && i.naturalWidth > 0;
		});
		return true;
	});
	await check('a copy button puts the link on the clipboard', async () => {
		await first.$$('.copy').then((b) => b[3].click());
		await page.waitForSelector('.copy.copied');
		return (await page.evaluate(() =>
		    navigator.clipboard.readText())) === links[3];
	});

	// Drag and drop: a drop event carrying a file built in the page.
	const png = fs.readFileSync(path.join(images, 'alpha.png'));
	await drop(page, png.toString('base64'), 'dropped.png');
	await check('a dropped file is uploaded', async () => {
		await page.waitForFunction(() =>
		    document.querySelectorAll('.item.done').length === 2);
		return page.$eval('.item', (e) =>
		    /\/i\/[A-Za-z0-9_-]{8}\.png$/.test(
		    e.querySelectorAll('.link input')[1].value));
	});
	await check('the drop zone is no longer highlighted', async () =>
	    !(await page.$eval('#zone', (z) =>
	    z.classList.contains('dragging'))));

	// Several files at once, one of them not an image.
	await page.setInputFiles('#file', [path.join(images, 'anim.gif'),
	    path.join(images, 'text.txt')]);
	await check('two files at once: two more items', async () => {
		await page.waitForFunction(() =>
		    document.querySelectorAll('.item.done, .item.failed')
		    .length === 4);
		return true;
	});
	await check('a text file is refused in words a person understands',
	    async () => {
		const t = await page.$eval('.item.failed .state',
		    (e) => e.textContent);
		return /not an image we take.*JPEG, PNG, GIF, WebP, AVIF, HEIC, TIFF or BMP/.test(t) ||
		    t;
	});
	await shot(page, 'upload-done');
	return { page, pageUrl, direct };
}

async function imagePage(page, pageUrl, direct) {
	await page.click('.item:last-child a.open');
	await check('following the page link opens the image page',
	    async () => {
		await page.waitForURL(pageUrl);
		return (await page.title()).startsWith('Image ');
	});
	await check('the picture has the WebP source first', async () =>
	    page.$eval('#picture', (p) => p.firstElementChild.tagName ===
	    'SOURCE' && p.firstElementChild.type === 'image/webp'));
	await check('the image is shown', async () => {
		await page.waitForFunction(() => {
			const i = document.getElementById('image');
			return i.complete && i.naturalWidth > 0;
		});
		return true;
	});
	await check('dimensions, type, size and date are shown', async () => {
		const t = await page.$eval('.facts', (e) => e.textContent);
		return /800 × 600.*JPEG.*KB.*UTC/.test(t) || t;
	});
	await check('a link to the original', async () =>
	    (await page.getAttribute('#original', 'href')) === direct);
	await check('the share links are on the page', async () =>
	    (await page.inputValue('#l-page')) === pageUrl &&
	    (await page.inputValue('#l-direct')) === direct);
	await shot(page, 'image-large');

	const src = () => page.getAttribute('#image', 'src');
	const webp = () => page.$eval('#picture', (p) => {
		const s = p.querySelector('source');
		return s ? s.srcset : null;
	});
	const before = await src();
	await page.selectOption('#size', 'small');
	await check('choosing small swaps the <img> src', async () =>
	    (await src()) !== before && (await src()).endsWith('/small.jpg') ||
	    await src());
	await check('... and the WebP source', async () =>
	    ((await webp()) || '').endsWith('/small.webp') || await webp());
	await check('... and the address says ?size=small', async () =>
	    page.url() === pageUrl + '?size=small' || page.url());
	await check('the small image loads', async () => {
		await page.waitForFunction(() => {
			const i = document.getElementById('image');
			return i.complete && i.naturalWidth > 0 &&
			    /small\.webp$/.test(i.currentSrc);
		});
		return true;
	});
	await shot(page, 'image-small');
	await page.selectOption('#size', 'original');
	await check('choosing original shows the original, no WebP source',
	    async () => (await src()) === direct && (await webp()) === null);
	await page.selectOption('#size', 'medium');
	await check('choosing medium brings the WebP source back', async () =>
	    ((await webp()) || '').endsWith('/medium.webp') &&
	    (await src()).endsWith('/medium.jpg'));
	await check('a reload keeps the size chosen', async () => {
		await page.reload();
		return (await page.inputValue('#size')) === 'medium' &&
		    (await src()).endsWith('/medium.jpg');
	});

	const res = await page.goto(base + '/zzzzzzzz');
	await check('an unknown id is a 404', async () => res.status() === 404);
	await check('... an HTML page', async () =>
	    res.headers()['content-type'].startsWith('text/html'));
	await check('... that is friendly', async () =>
	    (await page.textContent('h1')) === 'Nothing here' &&
	    /no image at this address/.test(await page.textContent('main')) &&
	    (await page.getAttribute('main a.button', 'href')) === '/');
	await shot(page, 'not-found');
}

// The uploader's history ("Your uploads", localStorage) and its Delete
// button, after uploads() made three images from this browser.
async function history(page, pageUrl) {
	const KEY = 'imghost.uploads';
	const saved = () => page.evaluate((k) =>
	    JSON.parse(localStorage.getItem(k) || '[]'), KEY);
	const ids = () => page.$$eval('#history .entry', (l) =>
	    l.map((e) => e.dataset.id));
	const sent = [];
	page.on('request', (r) => sent.push(`${r.method()} ${r.url()} ` +
	    (r.headers().authorization || '')));

	await page.goto(base + '/');
	await check('history: "Your uploads" lists the three uploads',
	    async () => (await ids()).length === 3 || (await ids()).join());
	await check('history: newest first (the first upload is last)',
	    async () => (await page.$eval('#history .entry:last-child ' +
	    '.name a', (a) => a.href)) === pageUrl);
	await check('history: a thumbnail, the page and direct links',
	    async () => {
		await page.waitForFunction(() => {
			const i = document.querySelector('#history .thumb img');
			return i && i.complete && i.naturalWidth > 0;
		});
		return (await page.$$eval('#history .entry:last-child ' +
		    '.link label', (l) => l.map((x) => x.textContent).join()))
		    === 'Page,Direct';
	});
	await check('history: a Delete button each', async () =>
	    (await page.$$eval('#history .entry .entry-delete:not(.forget)',
	    (l) => l.length)) === 3);
	await check('history: each upload saved its delete token', async () =>
	    (await saved()).every((e) => e.claims.length === 1 &&
	    /^[A-Za-z0-9_-]{22,}$/.test(e.claims[0].delete_token)) ||
	    JSON.stringify(await saved()).slice(0, 200));

	// New bytes, uploaded twice: one image, one entry, two claims.
	const b64 = await randomPng(page);
	await drop(page, b64, 'noise.png');
	await page.waitForSelector('.item.done');
	await drop(page, b64, 'noise-again.png');
	await check('history: the same image twice is one entry on top',
	    async () => {
		await page.waitForFunction(() =>
		    document.querySelectorAll('.item.done').length === 2);
		const got = await ids(), first = (await saved())[0];
		return got.length === 4 && got[0] === first.id ||
		    got.join();
	});
	const entry = (await saved())[0], id = entry.id;
	await check('history: ... "Already here" the second time', async () =>
	    /^Already here/.test(await page.$eval('.item .state',
	    (e) => e.textContent)));
	await check('history: ... holding both uploads\' tokens', async () =>
	    entry.claims.length === 2 &&
	    entry.claims[0].delete_token !== entry.claims[1].delete_token);
	await check('history: no delete token in the page or a URL asked for',
	    async () => {
		const html = await page.content();
		const tokens = (await saved()).flatMap((e) =>
		    e.claims.map((c) => c.delete_token));
		return tokens.length === 5 && !tokens.some((t) =>
		    html.includes(t) ||
		    sent.some((r) => r.split(' ')[1].includes(t)));
	});
	await check('history: it survives a reload', async () => {
		await page.reload();
		const got = await ids();
		return got.length === 4 && got[0] === id || got.join();
	});
	await shot(page, 'history');

	const del = `#history .entry[data-id="${id}"] .entry-delete`;
	const deletes = () => sent.filter((r) => r.startsWith('DELETE '));
	page.once('dialog', (d) => d.dismiss());
	await page.click(del);
	await check('history: Cancel in the confirm dialog deletes nothing',
	    async () => (await ids()).includes(id) && deletes().length === 0);

	// The server busy: the entry stays, and says to try again.
	const api = `${base}/api/v1/images/${id}`;
	const busy = (route) => route.request().method() === 'DELETE' ?
	    route.fulfill({ status: 503, headers: { 'Retry-After': '5' },
	    contentType: 'application/json', body: '{"error":{"code":' +
	    '"unavailable","message":"try again"}}' }) : route.continue();
	await page.route(api, busy);
	page.once('dialog', (d) => d.accept());
	await page.click(del);
	await check('history: a 503 keeps the entry and says try again later',
	    async () => {
		await page.waitForSelector(`#history .entry.failed`);
		const t = await page.$eval('#history .entry.failed .state',
		    (e) => e.textContent);
		return (await ids()).includes(id) &&
		    (await saved())[0].claims.length === 2 &&
		    /Try again later/.test(t) || t;
	});
	await page.unroute(api, busy);

	sent.length = 0;
	let message = '';
	page.once('dialog', (d) => {
		message = d.message();
		d.accept();
	});
	await page.click(del);
	await check('history: Delete asks first', async () =>
	    /^Delete this image\?/.test(message) || message);
	await check('history: the entry disappears once deleted', async () => {
		await page.waitForFunction((i) => !document.querySelector(
		    `#history .entry[data-id="${i}"]`), id);
		return (await page.textContent('.history-note')) === 'Deleted.';
	});
	await check('history: both claims ended, each with its own token',
	    async () => deletes().length === 2 && deletes().every((r, i) =>
	    r === `DELETE ${api} Bearer ${entry.claims[i].delete_token}`) ||
	    deletes().length);
	await check('history: ... and the others stay', async () =>
	    (await ids()).length === 3 &&
	    !(await saved()).some((e) => e.id === id));
	const status = (u) => page.evaluate(async (url) =>
	    (await fetch(url, { cache: 'no-store' })).status, u);
	await check('history: the image URL answers 404 after the delete',
	    async () => {
		const now = await status(entry.url);
		if (now === 404)
			return true;
		// Say whether it is a short-lived cache of the server's.
		await page.waitForTimeout(2500);
		return `${now} at once, ${await status(entry.url)} 2.5 s later`;
	});
	await check('history: ... and its page and thumbnail too', async () =>
	    (await status(entry.page_url)) === 404 &&
	    (await status(entry.thumb)) === 404);
	await check('history: a reload still shows it gone', async () => {
		await page.reload();
		return (await ids()).length === 3 &&
		    !(await ids()).includes(id);
	});
	await shot(page, 'history-deleted');
}

// A browser that refuses localStorage (private modes, policies): the
// page uploads as before, without the history.
async function noStorage(ctx) {
	const page = await ctx.newPage();
	await page.addInitScript(() => {
		Object.defineProperty(window, 'localStorage', { get() {
			throw new DOMException('refused', 'SecurityError');
		} });
	});
	try {
		await page.goto(base + '/');
		await page.setInputFiles('#file', path.join(images,
		    'anim.gif'));
		await check('no localStorage: the upload still works',
		    async () => {
			await page.waitForSelector('.item.done, .item.failed');
			return page.$eval('.item', (e) =>
			    e.className === 'item done' || e.textContent);
		    });
		await check('no localStorage: no history section', async () =>
		    (await page.$('#history')) === null);
	} finally {
		await page.close();
	}
}

// submit PAGE SELECTOR: clicks a form's button, waits for the page it gets.
async function submit(page, selector) {
	await Promise.all([page.waitForEvent('load'), page.click(selector)]);
}

// The delete link without a script: its GET asks, its form deletes.
async function noScriptDelete(page) {
	// A JPEG no one uploaded before: photo.jpg with a comment of its own.
	const jpg = fs.readFileSync(path.join(images, 'photo.jpg'));
	const note = Buffer.from(`t_30 no-JS delete ${process.pid} ` +
	    `${Date.now()} ${Math.random()}`);
	const len = Buffer.from([0, 0]);
	len.writeUInt16BE(note.length + 2);
	const file = path.join(shots, `${store}-nojs-delete.jpg`);
	fs.writeFileSync(file, Buffer.concat([jpg.subarray(0, 2),
	    Buffer.from([0xff, 0xfe]), len, note, jpg.subarray(2)]));

	await page.goto(base + '/');
	await page.setInputFiles('#file', file);
	await submit(page, 'button[type=submit]');
	const link = await page.inputValue('#l-delete');
	const direct = await page.inputValue('#l-direct');
	const status = async (u) => (await page.request.get(u,
	    { maxRedirects: 0 })).status();
	const res = await page.goto(link);
	await check('no JS: the delete link asks first', async () =>
	    res.status() === 200 &&
	    (await page.textContent('h1')) === 'Delete this image?' &&
	    await page.isVisible('form button[type=submit]'));
	await check('no JS: ... and its GET deleted nothing', async () =>
	    (await status(direct)) === 200 || await status(direct));
	await shot(page, 'nojs-delete');
	await submit(page, 'form button[type=submit]');
	await check('no JS: the form deletes it', async () =>
	    (await page.textContent('h1')) === 'Deleted' ||
	    await page.textContent('h1'));
	await check('no JS: ... and its URL answers 404', async () =>
	    (await status(direct)) === 404 || await status(direct));
	await shot(page, 'nojs-deleted');
	fs.rmSync(file, { force: true });
}

async function noScript() {
	const ctx = await launch({ javaScriptEnabled: false });
	const problems = [];
	watch(ctx, problems);
	const page = ctx.pages()[0] || await ctx.newPage();
	const seen = [];
	page.on('response', (r) => seen.push(`${r.request().method()} ` +
	    `${new URL(r.url()).pathname} ${r.status()}`));
	try {
		await page.goto(base + '/');
		await check('no JS: the plain form is shown', async () =>
		    await page.isVisible('input[type=file]') &&
		    await page.isVisible('button[type=submit]') &&
		    !(await page.isVisible('#zone')));
		await shot(page, 'nojs-upload');
		await page.setInputFiles('#file',
		    path.join(images, 'image.webp'));
		await submit(page, 'button[type=submit]');
		await check('no JS: POST / answers a page, 201 or 200', async () =>
		    seen.includes('POST / 201') || seen.includes('POST / 200') ||
		    seen.join(', '));
		await check('no JS: it says uploaded, with its delete link',
		    async () => (await page.textContent('h1')) === 'Uploaded' &&
		    new RegExp(`^${base}/${ID}/delete/[A-Za-z0-9_-]{22,}$`)
		    .test(await page.inputValue('#l-delete')));
		await shot(page, 'nojs-uploaded');
		await Promise.all([page.waitForURL(new RegExp(`/${ID}$`)),
		    page.click('main a[href^="/"]')]);
		await check('no JS: it links the image page', async () =>
		    (await page.title()).startsWith('Image ') &&
		    (await page.getAttribute('#image', 'src'))
		    .endsWith('/large.webp'));
		await check('no JS: the copy buttons are hidden', async () =>
		    !(await page.isVisible('.copy')));
		await shot(page, 'nojs-image');
		await page.selectOption('#size', 'small');
		await Promise.all([page.waitForURL(/\?size=small$/),
		    page.click('.sizes button')]);
		await check('no JS: the size form shows the small size',
		    async () => (await page.getAttribute('#image', 'src'))
		    .endsWith('/small.webp'));
		await noScriptDelete(page);
		await check('no JS: no errors in the console', async () =>
		    problems.length === 0 || problems.join(' | '));
	} finally {
		await ctx.cleanup();
	}
}

async function phone(pageUrl, direct) {
	const ctx = await launch({ viewport: { width: 390, height: 844 },
	    deviceScaleFactor: 2, isMobile: true, hasTouch: true });
	const page = ctx.pages()[0] || await ctx.newPage();
	// A history of one entry, to see it laid out (its token is never used).
	await ctx.addInitScript(({ id, pageUrl, direct }) => {
		const key = 'imghost.uploads';
		if (location.pathname === '/' && !localStorage.getItem(key))
			localStorage.setItem(key, JSON.stringify([{ id,
			    page_url: pageUrl, url: direct, thumb: direct,
			    created: new Date().toISOString(),
			    claims: [{ delete_token: 'x'.repeat(22) }] }]));
	}, { id: pageUrl.slice(-8), pageUrl, direct });
	const fits = () => page.evaluate(() =>
	    document.documentElement.scrollWidth <= window.innerWidth);
	try {
		await page.goto(base + '/');
		await check('phone: the upload page fits the width', fits);
		await check('phone: ... with "Your uploads" shown', async () =>
		    page.isVisible('#history .entry .entry-delete'));
		await page.screenshot({ path: path.join(shots,
		    `${store}-phone-upload.png`) });
		await page.goto(pageUrl);
		await page.waitForFunction(() =>
		    document.getElementById('image').naturalWidth > 0);
		await check('phone: the image page fits the width', fits);
		await check('phone: the image fits the screen', async () =>
		    page.$eval('#image', (i) =>
		    i.getBoundingClientRect().right <= window.innerWidth));
		await page.screenshot({ path: path.join(shots,
		    `${store}-phone-image.png`) });
		await shot(page, 'phone-image-full');
	} finally {
		await ctx.cleanup();
	}
}

async function main() {
	const ctx = await launch({ viewport: { width: 1280, height: 900 } });
	const problems = [];
	let got = null;

	watch(ctx, problems);
	try {
		got = await uploads(ctx);
		await imagePage(got.page, got.pageUrl, got.direct);
		await history(got.page, got.pageUrl);
		await noStorage(ctx);
		await check('no CSP violations or script errors', async () =>
		    problems.length === 0 || problems.join(' | '));
	} catch (e) {
		record(false, 'the browser session', e.message.split('\n')[0]);
	} finally {
		await ctx.cleanup();
	}
	await noScript().catch((e) => record(false, 'no JS session',
	    e.message.split('\n')[0]));
	if (got)
		await phone(got.pageUrl, got.direct).catch((e) => record(false,
		    'phone session', e.message.split('\n')[0]));
}

main().catch((e) => {
	record(false, 'the browser could not be driven', e.message);
	process.exitCode = 1;
});
