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
	await page.evaluate(({ b64 }) => {
		const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
		const dt = new DataTransfer();
		dt.items.add(new File([bytes], 'dropped.png',
		    { type: 'image/png' }));
		const zone = document.getElementById('zone');
		for (const type of ['dragenter', 'dragover', 'drop'])
			zone.dispatchEvent(new DragEvent(type,
			    { bubbles: true, cancelable: true, dataTransfer: dt }));
	}, { b64: png.toString('base64') });
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
		return /not an image we take.*JPEG, PNG, GIF or WebP/.test(t) ||
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
		await Promise.all([page.waitForURL(new RegExp(`/${ID}$`)),
		    page.click('button[type=submit]')]);
		await check('no JS: POST / answers 303', async () =>
		    seen.includes('POST / 303') || seen.join(', '));
		await check('no JS: it lands on the image page', async () =>
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
		await check('no JS: no errors in the console', async () =>
		    problems.length === 0 || problems.join(' | '));
	} finally {
		await ctx.cleanup();
	}
}

async function phone(pageUrl) {
	const ctx = await launch({ viewport: { width: 390, height: 844 },
	    deviceScaleFactor: 2, isMobile: true, hasTouch: true });
	const page = ctx.pages()[0] || await ctx.newPage();
	const fits = () => page.evaluate(() =>
	    document.documentElement.scrollWidth <= window.innerWidth);
	try {
		await page.goto(base + '/');
		await check('phone: the upload page fits the width', fits);
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
		await phone(got.pageUrl).catch((e) => record(false,
		    'phone session', e.message.split('\n')[0]));
}

main().catch((e) => {
	record(false, 'the browser could not be driven', e.message);
	process.exitCode = 1;
});
