// The pages in a real browser: Debian's chromium, headless, driven by
// playwright-core.  Run by tests/it/t_30_pages.sh once per stack:
//
//	node pages.js BASE STORE IMAGES_DIR SHOTS_DIR PH [URL_BASE URL_SRC]
//
// Each check appends one "PASS: t_30_pages: STORE: what" or "FAIL: ..."
// line to the file named by $RESULTS; screenshots go to SHOTS_DIR.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

// PH: an image of BASE with its placeholder made; URL_BASE: a stack that
// may fetch URL_SRC (the uploads by url run only when it is given).
const [base, store, images, shots, ph, urlBase, urlSrc] =
    process.argv.slice(2);
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

// sameCodes CODES PAGE URL W H ID: the five codes are those of that size.
function sameCodes(codes, page, url, w, h, id) {
	const want = [page, url, `[![Image ${id}](${url})](${page})`,
	    `[url=${page}][img]${url}[/img][/url]`,
	    `<a href="${page}"><img src="${url}" width="${w}" height="${h}" ` +
	    `alt="Image ${id}"></a>`];
	return want.every((c, i) => codes[i] === c) || codes.join(' | ');
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
	    async () => !(await page.isVisible('button.nojs')));
	await check('the upload-by-url field and its button are visible',
	    async () => await page.isVisible('#url') &&
	    await page.isVisible('#url-go'));
	await shot(page, 'upload-empty');

	// Slow the upload down so the progress bar can be seen moving.
	const cdp = await ctx.newCDPSession(page);
	await cdp.send('Network.enable');
	await cdp.send('Network.emulateNetworkConditions', { offline: false,
	    latency: 0, downloadThroughput: -1, uploadThroughput: 96 * 1024 });
	// Every image asked for, to see the card's thumbnail is not one.
	const asked = [];
	page.on('request', (r) => asked.push(r.url()));
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
	const codes = () => first.$$eval('.link input', (l) =>
	    l.map((i) => i.value));
	const links = await codes();
	const pageUrl = links[0], id = pageUrl.slice(-8);
	const direct = `${base}/i/${id}.jpg`;
	await check('five share links: page, direct, Markdown, BBCode, HTML',
	    async () => (await first.$$eval('.link label', (l) =>
	    l.map((x) => x.textContent).join(','))) ===
	    'Page,Direct,Markdown,BBCode,HTML');
	await check('the page link', async () =>
	    new RegExp(`^${base}/${ID}$`).test(pageUrl) || pageUrl);
	await check('the card shows a chip a size, large chosen', async () =>
	    (await first.$$eval('.chip', (l) => l.map((c) =>
	    c.dataset.size + (c.getAttribute('aria-current') ? '*' : ''))
	    .join())) === 'small,medium,large*,original');
	await check('the direct link is the large size', async () =>
	    links[1] === `${base}/i/${id}/large.jpg` || links[1]);
	await check('Markdown, BBCode and HTML use both, HTML its size',
	    async () => sameCodes(links, pageUrl, links[1], 800, 600, id));
	await (await first.$('.chip[data-size=small]')).click();
	await check('one click on the small chip: every code is small\'s',
	    async () => sameCodes(await codes(), pageUrl,
	    `${base}/i/${id}/small.jpg`, 320, 240, id));
	await (await first.$('.chip[data-size=original]')).click();
	await check('... and on original: the original\'s', async () =>
	    sameCodes(await codes(), pageUrl, direct, 800, 600, id));
	await check('... the chip clicked is the current one', async () =>
	    (await first.$$eval('.chip[aria-current]', (l) =>
	    l.map((c) => c.dataset.size).join())) === 'original');
	await check('... and the card stays on this page', async () =>
	    page.url() === base + '/' || page.url());
	await check('the thumbnail loads', async () => {
		await page.waitForFunction(() => {
			const i = document.querySelector('.item .thumb img');
			return i && i.complete && i.naturalWidth > 0;
		});
		return true;
	});
	await check('... from the file itself (an object URL)', async () =>
	    /^blob:/.test(await first.$eval('.thumb img', (i) => i.src)));
	await check('... so neither the original nor small is fetched',
	    async () => !asked.some((u) => u.includes(`/i/${id}`)) ||
	    asked.filter((u) => u.includes('/i/')).join());
	await check('... nor by "Your uploads" for its entry', async () => {
		const src = await page.$eval(`#history .entry[data-id="${id}"] ` +
		    'img', (i) => i.src);
		return /^blob:/.test(src) || src;
	});
	await check('copy buttons say what they copy', async () =>
	    (await first.$$eval('.copy', (l) => l.map((b) =>
	    b.textContent).join())) ===
	    'Copy link,Copy URL,Copy Markdown,Copy BBCode,Copy HTML');
	const bb = (await codes())[3];
	await check('a copy button puts the code on the clipboard', async () => {
		await first.$$('.copy').then((b) => b[3].click());
		await page.waitForSelector('.copy.copied');
		return (await page.evaluate(() =>
		    navigator.clipboard.readText())) === bb;
	});
	await check('... and says "Copied"', async () =>
	    (await first.$eval('.copy.copied', (b) => b.textContent)) ===
	    'Copied');
	await check('... then what it copies again', async () => {
		await page.waitForFunction(() =>
		    !document.querySelector('.copy.copied'));
		return (await first.$$eval('.copy', (l) => l[3].textContent)) ===
		    'Copy BBCode';
	});

	// Drag and drop: a drop event carrying a file built in the page.
	const png = fs.readFileSync(path.join(images, 'alpha.png'));
	await drop(page, png.toString('base64'), 'dropped.png');
	await check('a dropped file is uploaded', async () => {
		await page.waitForFunction(() =>
		    document.querySelectorAll('.item.done').length === 2);
		return page.$eval('.item', (e) =>
		    /\/i\/[A-Za-z0-9_-]{8}\/large\.png$/.test(
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
	await page.screenshot({ path: path.join(shots,
	    `${store}-upload-done-fold.png`) });
	return { page, pageUrl, direct };
}

// aboveFold PAGE: the h1, the chips and every code with its button are
// inside the window, with no scrolling.
async function aboveFold(page) {
	await page.evaluate(() => window.scrollTo(0, 0));
	const out = await page.$$eval('h1, .share .chip, .share .link input, ' +
	    '.share .copy', (l) => l.filter((e) => {
		const r = e.getBoundingClientRect();
		return !(r.width > 0 && r.top >= 0 && r.left >= 0 &&
		    r.bottom <= window.innerHeight &&
		    r.right <= window.innerWidth);
	    }).map((e) => e.id || e.textContent));
	return out.length === 0 || out.join();
}

// rowsLaidOut PAGE: each share code sits beside its label, one row a
// code, top to bottom (a row's box is left out of the grid).
async function rowsLaidOut(page) {
	const bad = await page.$$eval('.link', (rows) => {
		let last = -1;
		return rows.filter((r) => {
			const l = r.querySelector('label').getBoundingClientRect();
			const i = r.querySelector('input').getBoundingClientRect();
			const ok = Math.abs((l.top + l.bottom) - (i.top + i.bottom)) <
			    i.height && i.top > last;
			last = i.bottom - 1;
			return !ok;
		}).map((r) => r.querySelector('label').textContent);
	});
	return bad.length === 0 || bad.join();
}

// A browser with navigator.share (stubbed, as Chromium on Linux has
// none): the button is shown and shares the page's URL.
async function nativeShare(ctx, pageUrl) {
	const page = await ctx.newPage();
	await page.addInitScript(() => {
		window.shared = [];
		navigator.share = (data) => {
			window.shared.push(data);
			return Promise.resolve();
		};
	});
	try {
		await page.goto(pageUrl);
		await check('with navigator.share: the Share button is shown',
		    () => page.isVisible('#share'));
		await page.click('#share');
		await check('... and shares the page URL', async () => {
			const got = await page.evaluate(() => window.shared);
			return got.length === 1 && got[0].url === pageUrl ||
			    JSON.stringify(got);
		});
	} finally {
		await page.close();
	}
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
	const id = pageUrl.slice(-8);
	const pageCodes = () => page.$$eval('.share .link input', (l) =>
	    l.map((i) => i.value));
	const current = () => page.$$eval('.chip[aria-current]', (l) =>
	    l.map((c) => c.dataset.size).join());
	await check('the page has an h1', async () =>
	    (await page.textContent('h1')) === `Image ${id}`);
	await check('the share codes are the large size\'s', async () =>
	    sameCodes(await pageCodes(), pageUrl,
	    `${base}/i/${id}/large.jpg`, 800, 600, id));
	await check('copy buttons say what they copy', async () =>
	    (await page.$$eval('.share .copy', (l) => l.map((b) =>
	    b.textContent).join())) ===
	    'Copy link,Copy URL,Copy Markdown,Copy BBCode,Copy HTML');
	await check('1366x768: the h1, sizes and every code above the fold',
	    async () => aboveFold(page));
	await check('each code beside its label, a row each', async () =>
	    rowsLaidOut(page));
	await shot(page, 'image-large');
	await page.screenshot({ path: path.join(shots,
	    `${store}-image-1366x768.png`) });
	await page.setViewportSize({ width: 1920, height: 1080 });
	await check('1920x1080: ... too', async () => aboveFold(page));
	await page.screenshot({ path: path.join(shots,
	    `${store}-image-1920x1080.png`) });
	await page.setViewportSize({ width: 1366, height: 768 });
	await check('the Share button is shown only with navigator.share',
	    async () => (await page.isVisible('#share')) ===
	    await page.evaluate(() => typeof navigator.share === 'function'));

	const src = () => page.getAttribute('#image', 'src');
	const webp = () => page.$eval('#picture', (p) => {
		const s = p.querySelector('source');
		return s ? s.srcset : null;
	});
	const before = await src();
	await page.click('.chip[data-size=small]');
	await check('one click on the small chip swaps the <img> src', async () =>
	    (await src()) !== before && (await src()).endsWith('/small.jpg') ||
	    await src());
	await check('... and the WebP source', async () =>
	    ((await webp()) || '').endsWith('/small.webp') || await webp());
	await check('... and the address says ?size=small', async () =>
	    page.url() === pageUrl + '?size=small' || page.url());
	await check('... and every share code is small\'s', async () =>
	    sameCodes(await pageCodes(), pageUrl,
	    `${base}/i/${id}/small.jpg`, 320, 240, id));
	await check('... and small is the current chip', async () =>
	    (await current()) === 'small' || await current());
	await check('the small image loads', async () => {
		await page.waitForFunction(() => {
			const i = document.getElementById('image');
			return i.complete && i.naturalWidth > 0 &&
			    /small\.webp$/.test(i.currentSrc);
		});
		return true;
	});
	await shot(page, 'image-small');
	await page.click('.chip[data-size=original]');
	await check('choosing original shows the original, no WebP source',
	    async () => (await src()) === direct && (await webp()) === null);
	await check('... and its codes', async () =>
	    sameCodes(await pageCodes(), pageUrl, direct, 800, 600, id));
	await page.click('.chip[data-size=medium]');
	await check('choosing medium brings the WebP source back', async () =>
	    ((await webp()) || '').endsWith('/medium.webp') &&
	    (await src()).endsWith('/medium.jpg'));
	await check('... and medium\'s codes', async () =>
	    sameCodes(await pageCodes(), pageUrl,
	    `${base}/i/${id}/medium.jpg`, 640, 480, id));
	await check('a reload keeps the size chosen, and its codes', async () => {
		await page.reload();
		return (await current()) === 'medium' &&
		    (await src()).endsWith('/medium.jpg') &&
		    sameCodes(await pageCodes(), pageUrl,
		    `${base}/i/${id}/medium.jpg`, 640, 480, id);
	});
	const copy = page.locator('.share .copy').nth(4);
	await copy.click();
	await check('Copy HTML puts the HTML code on the clipboard', async () =>
	    (await page.evaluate(() => navigator.clipboard.readText())) ===
	    await page.inputValue('#l-html'));
	await check('... and says "Copied", then "Copy HTML" again',
	    async () => await page.waitForSelector('.share .copy.copied') &&
	    (await copy.textContent()) === 'Copied' &&
	    await page.waitForFunction(() => document.querySelectorAll(
	    '.share .copy')[4].textContent === 'Copy HTML') !== null);
	await nativeShare(page.context(), pageUrl);

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

// A HEIC, which Chromium cannot show: the card's thumbnail falls back
// from the file to the server's copy.  (Here, with no history to count.)
async function heicThumb(page) {
	await page.setInputFiles('#file', path.join(images, 'photo.heic'));
	await check('HEIC: the card\'s thumbnail falls back to the server\'s',
	    async () => {
		// The newest card is the first.
		await page.waitForFunction(() => {
			const i = document.querySelector('.item:first-child.done ' +
			    '.thumb img');
			return i && i.complete && i.naturalWidth > 0;
		});
		const src = await page.$eval('.item .thumb img', (i) => i.src);
		return new RegExp(`^${base}/i/${ID}/small\\.jpg$`).test(src) ||
		    src;
	});
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
		if (fs.existsSync(path.join(images, 'photo.heic')))
			await heicThumb(page);
	} finally {
		await page.close();
	}
}

// The placeholder of image ph: painted as the <img>'s background while
// its bytes are held back, the reference decoder's pixels, and gone once
// the image has loaded.
async function placeholder(ctx) {
	const { thumbHashToRGBA } = await import('thumbhash');
	const page = await ctx.newPage();
	let release;
	const held = new Promise((r) => { release = r; });
	const re = new RegExp(`/i/${ph}[./]`);
	await page.route(re, async (route) => {
		await held;
		await route.continue();
	});
	const bg = () => page.$eval('#image', (i) =>
	    getComputedStyle(i).backgroundImage);
	try {
		await page.goto(`${base}/${ph}`, { waitUntil: 'domcontentloaded' });
		await check('placeholder: painted while the image loads',
		    async () => {
			await page.waitForFunction(() => /^url\("data:image\/png/
			    .test(getComputedStyle(document.getElementById(
			    'image')).backgroundImage));
			return await page.$eval('#image', (i) =>
			    i.naturalWidth === 0) || 'the image came first';
		});
		const b64 = await page.getAttribute('#image', 'data-placeholder');
		const got = await page.$eval('#image', (i) => new Promise((ok) => {
			const url = getComputedStyle(i).backgroundImage
			    .slice(5, -2), im = new Image();
			im.onload = () => {
				const c = document.createElement('canvas');
				c.width = im.width;
				c.height = im.height;
				const g = c.getContext('2d');
				g.drawImage(im, 0, 0);
				ok({ w: c.width, h: c.height, rgba: Array.from(
				    g.getImageData(0, 0, c.width, c.height).data) });
			};
			im.src = url;
		}));
		await check('placeholder: the pixels of the reference decoder',
		    async () => {
			const want = thumbHashToRGBA(Buffer.from(b64, 'base64'));
			if (want.w !== got.w || want.h !== got.h)
				return `${got.w}x${got.h}, want ${want.w}x${want.h}`;
			const worst = got.rgba.reduce((m, v, i) =>
			    Math.max(m, Math.abs(v - want.rgba[i])), 0);
			return worst <= 2 || `off by ${worst}`;
		});
		await check('placeholder: it fills the image\'s box', async () =>
		    page.$eval('#image', (i) => i.getBoundingClientRect().width >
		    100 && getComputedStyle(i).backgroundSize === '100% 100%'));
		// Playwright's screenshot waits for the held image; CDP not.
		const cdp = await ctx.newCDPSession(page);
		const png = await cdp.send('Page.captureScreenshot',
		    { format: 'png' });
		fs.writeFileSync(path.join(shots, `${store}-placeholder.png`),
		    Buffer.from(png.data, 'base64'));
		await cdp.detach();
		release();
		await check('placeholder: gone once the image has loaded',
		    async () => {
			await page.waitForFunction(() => {
				const i = document.getElementById('image');
				return i.complete && i.naturalWidth > 0;
			});
			return (await bg()) === 'none' || await bg();
		});
	} finally {
		release();
		await page.close();
	}
}

// Uploads by url from the page, on the stack that may fetch urlSrc.
async function urlUpload(ctx) {
	const page = await ctx.newPage();
	try {
		await page.goto(urlBase + '/');
		await page.fill('#url', urlSrc);
		await page.click('#url-go');
		await check('url: the field uploads the image at the address',
		    async () => {
			await page.waitForSelector('.item.done, .item.failed');
			return page.$eval('.item', (e) => e.className ===
			    'item done' || e.textContent);
		});
		await check('url: ... with its codes on this host', async () =>
		    new RegExp(`^${urlBase}/i/${ID}/large\\.jpg$`).test(
		    await page.inputValue('.item .link input[data-code=direct]')));
		await check('url: ... and the field is emptied', async () =>
		    (await page.inputValue('#url')) === '');
		await page.fill('#url', 'http://127.0.0.1:1/nothing.png');
		await page.press('#url', 'Enter');
		await check('url: an address that gives nothing says so',
		    async () => {
			await page.waitForSelector('.item.failed');
			const t = await page.textContent('.item.failed .state');
			return /^That address did not give us an image/.test(t) ||
			    t;
		});
		await shot(page, 'url-upload');
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
	await submit(page, 'button.nojs');
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

// No JS: an address typed in the url field, Enter, and the page after.
async function noScriptUrl(page) {
	await page.goto(urlBase + '/');
	await page.fill('#url', urlSrc);
	await Promise.all([page.waitForEvent('load'), page.press('#url',
	    'Enter')]);
	await check('no JS: an address and Enter upload by url', async () =>
	    (await page.textContent('h1')) === 'Uploaded' ||
	    await page.textContent('h1'));
	await check('no JS: ... with the share codes of this host', async () =>
	    new RegExp(`^${urlBase}/i/${ID}\\.jpg$`).test(
	    await page.inputValue('#l-direct')));
	await shot(page, 'nojs-url-uploaded');
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
		    await page.isVisible('button.nojs') &&
		    !(await page.isVisible('#zone')));
		await check('no JS: with the url field, and one Upload button',
		    async () => await page.isVisible('#url') &&
		    !(await page.isVisible('#url-go')));
		await shot(page, 'nojs-upload');
		await page.setInputFiles('#file',
		    path.join(images, 'image.webp'));
		await submit(page, 'button.nojs');
		await check('no JS: POST / answers a page, 201 or 200', async () =>
		    seen.includes('POST / 201') || seen.includes('POST / 200') ||
		    seen.join(', '));
		await check('no JS: it says uploaded, with its delete link',
		    async () => (await page.textContent('h1')) === 'Uploaded' &&
		    new RegExp(`^${base}/${ID}/delete/[A-Za-z0-9_-]{22,}$`)
		    .test(await page.inputValue('#l-delete')));
		await check('no JS: each code beside its label, a row each',
		    async () => rowsLaidOut(page));
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
		await Promise.all([page.waitForURL(/\?size=small$/),
		    page.click('.chip[data-size=small]')]);
		await check('no JS: one click on a size chip shows that size',
		    async () => (await page.getAttribute('#image', 'src'))
		    .endsWith('/small.webp'));
		await check('no JS: ... with its share codes', async () => {
			const u = await page.getAttribute('#image', 'src');
			const html = await page.inputValue('#l-html');
			return (await page.inputValue('#l-direct')) === u &&
			    html.includes(`src="${u}" width="`) || html;
		});
		await shot(page, 'nojs-image-small');
		if (urlBase)
			await noScriptUrl(page);
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
	const ctx = await launch({ viewport: { width: 1366, height: 768 } });
	const problems = [];
	let got = null;

	watch(ctx, problems);
	try {
		got = await uploads(ctx);
		await imagePage(got.page, got.pageUrl, got.direct);
		await history(got.page, got.pageUrl);
		await noStorage(ctx);
		await placeholder(ctx);
		if (urlBase)
			await urlUpload(ctx);
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
