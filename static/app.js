/*
 * imghost: the pages' one script, no framework.  The pages work without
 * it (a plain form, links for the sizes); with it, the upload page
 * takes several files, drops, pastes and addresses, with a progress bar
 * each and the share codes of every size, the image page swaps sizes
 * and their codes in place and paints the image's placeholder while it
 * loads, and the uploader's own history
 * ("Your uploads", with a Delete button each) is kept in localStorage.
 * Loaded from <head>, so the "js" class is set before the first paint.
 */
(function () {
	'use strict';

	document.documentElement.classList.add('js');

	var MB = 1024 * 1024;

	/* An element with a class and text; no HTML is ever parsed. */
	function el(tag, cls, text) {
		var e = document.createElement(tag);
		if (cls)
			e.className = cls;
		if (text !== undefined)
			e.textContent = text;
		return e;
	}

	function humanBytes(n) {
		if (n >= 1e6)
			return (n / 1e6).toFixed(1) + ' MB';
		if (n >= 1e3)
			return Math.round(n / 1e3) + ' KB';
		return n + ' bytes';
	}

	/* The API's errors, in words a person understands. */
	function errorText(status, max, json) {
		var e = json && json.error;

		if (status === 400 && e && e.code === 'bad_url')
			return 'That address did not give us an image: ' +
			    e.message + '.';
		switch (status) {
		case 0: return 'The connection failed. Check your network ' +
		    'and try again.';
		case 400: return 'The server could not read this upload. ' +
		    'Is the file empty?';
		case 410: return 'This image was taken down and cannot be ' +
		    'uploaded again.';
		case 413: return 'This file is too large. The limit is ' +
		    Math.max(1, Math.floor(max / MB)) + ' MB.';
		case 415: return 'This is not an image we take: upload a ' +
		    'JPEG, PNG, GIF, WebP, AVIF, HEIC, TIFF or BMP.';
		case 422: return 'This image looks broken, or it has too ' +
		    'many pixels or frames.';
		case 503: return 'The server is busy right now. Try again in ' +
		    'a few seconds.';
		default: return 'The upload failed (error ' + status + '). ' +
		    'Try again.';
		}
	}

	/* Share codes ---------------------------------------------------- */

	/*
	 * The share codes of one size s ({ src, w, h }) of the image whose
	 * page is page: [label, key, what its button says, code], as
	 * page_links() in fcgi/page.c writes them.
	 */
	function shareCodes(page, alt, s) {
		return [
			['Page', 'page', 'Copy link', page],
			['Direct', 'direct', 'Copy URL', s.src],
			['Markdown', 'md', 'Copy Markdown',
			    '[![' + alt + '](' + s.src + ')](' + page + ')'],
			['BBCode', 'bb', 'Copy BBCode', '[url=' + page +
			    '][img]' + s.src + '[/img][/url]'],
			['HTML', 'html', 'Copy HTML', '<a href="' + page +
			    '"><img src="' + s.src + '" width="' + s.w +
			    '" height="' + s.h + '" alt="' + alt + '"></a>']
		];
	}

	/* Rows of a label, a read-only input and its Copy button. */
	function linkBox(rows, prefix) {
		var box = el('div', 'links');
		rows.forEach(function (r) {
			var row = el('div', 'link'), id = prefix + '-' + r[1],
			    label = el('label', '', r[0]), input = el('input'),
			    btn = el('button', 'copy', r[2]);
			label.htmlFor = id;
			input.id = id;
			input.dataset.code = r[1];
			input.readOnly = true;
			input.value = r[3];
			btn.type = 'button';
			btn.dataset.label = r[2];
			row.append(label, input, btn);
			box.append(row);
		});
		return box;
	}

	function chipSize(chip) {
		return { src: chip.dataset.src, w: chip.dataset.w,
		    h: chip.dataset.h };
	}

	/* Marks chip the chosen size of its share box, and puts its codes. */
	function chooseSize(box, chip) {
		var codes = shareCodes(box.dataset.page, box.dataset.alt,
		    chipSize(chip));
		box.querySelectorAll('.chip').forEach(function (c) {
			if (c === chip)
				c.setAttribute('aria-current', 'true');
			else
				c.removeAttribute('aria-current');
		});
		codes.forEach(function (r) {
			var input = box.querySelector('input[data-code="' +
			    r[1] + '"]');
			if (input)
				input.value = r[3];
		});
	}

	/*
	 * An upload's share box, as the image page's: a chip a size (links
	 * to the page at that size, for a middle click), then its codes.
	 * Large is chosen first, as on the page.
	 */
	function shareBox(json, n) {
		var box = el('div', 'share'), sizes = el('div', 'sizes'),
		    list = [], chosen = null, variants = json.variants || {};

		box.dataset.page = json.page_url;
		box.dataset.alt = 'Image ' + json.id;
		sizes.setAttribute('role', 'group');
		sizes.setAttribute('aria-label', 'Size');
		Object.keys(variants).forEach(function (k) {
			var v = variants[k];
			if (v && URL_RE.test(v.url))
				list.push([k, v.url, v.width, v.height]);
		});
		list.push(['original', json.url, json.width, json.height]);
		list.forEach(function (v) {
			var chip = el('a', 'chip', v[0].charAt(0).toUpperCase() +
			    v[0].slice(1) + ' ');
			chip.href = json.page_url + '?size=' + v[0];
			chip.dataset.size = v[0];
			chip.dataset.src = v[1];
			chip.dataset.w = v[2];
			chip.dataset.h = v[3];
			chip.append(el('span', 'dim', v[2] + ' × ' + v[3]));
			sizes.append(chip);
			if (v[0] === 'large')
				chosen = chip;
		});
		chosen = chosen || sizes.lastChild;
		box.append(sizes, linkBox(shareCodes(json.page_url,
		    box.dataset.alt, chipSize(chosen)), 'l' + n));
		chooseSize(box, chosen);
		return box;
	}

	function copied(btn) {
		btn.textContent = 'Copied';
		btn.classList.add('copied');
		clearTimeout(btn.copiedTimer);
		btn.copiedTimer = setTimeout(function () {
			btn.textContent = btn.dataset.label || 'Copy';
			btn.classList.remove('copied');
		}, 1500);
	}

	function copy(btn) {
		var input = btn.parentNode.querySelector('input');
		if (navigator.clipboard && window.isSecureContext) {
			navigator.clipboard.writeText(input.value).then(
			    function () { copied(btn); },
			    function () { copyBySelection(input, btn); });
		} else
			copyBySelection(input, btn);
	}

	function copyBySelection(input, btn) {
		input.focus();
		input.select();
		try {
			if (document.execCommand('copy'))
				copied(btn);
		} catch (e) { /* the text stays selected: Ctrl-C works */ }
	}

	/* Your uploads -------------------------------------------------- */

	/*
	 * The uploader's own history, in this browser only: one entry an
	 * image, newest first, each with the delete tokens of every upload
	 * of it from here (a duplicate upload is a claim of its own, and
	 * the image goes only when every claim has ended).  A token lives
	 * in localStorage and in the Authorization header of the DELETE,
	 * nowhere else: the list shows no token and no delete URL.
	 */
	var KEY = 'imghost.uploads', CAP = 200,
	    ID_RE = /^[A-Za-z0-9_-]{8}$/, URL_RE = /^https?:\/\//;

	/* localStorage, or null where it is refused (private mode, policy). */
	function store() {
		try {
			var s = window.localStorage, k = KEY + '.probe';
			s.setItem(k, '1');
			s.removeItem(k);
			return s;
		} catch (e) {
			return null;
		}
	}

	function validEntry(e) {
		return e && typeof e === 'object' && ID_RE.test(e.id) &&
		    URL_RE.test(e.page_url) && URL_RE.test(e.url) &&
		    URL_RE.test(e.thumb) && Array.isArray(e.claims);
	}

	function mineLoad(s) {
		var list;
		try {
			list = JSON.parse(s.getItem(KEY) || '[]');
		} catch (e) { /* not ours, or damaged: start again */ }
		if (!Array.isArray(list))
			return [];
		list = list.filter(validEntry);
		list.forEach(function (e) {
			e.claims = e.claims.filter(function (c) {
				return c && typeof c.delete_token === 'string';
			});
		});
		return list;
	}

	/* Where the browser refuses it (quota), the old list stays. */
	function mineSave(s, list) {
		try {
			s.setItem(KEY, JSON.stringify(list.slice(0, CAP)));
		} catch (e) { /* nothing better to do */ }
	}

	/* The upload's claim joins its image's entry, moved to the top. */
	function mineAdd(s, json, file) {
		var list = mineLoad(s), old = null, entry;

		if (!ID_RE.test(json.id) || !URL_RE.test(json.page_url) ||
		    !URL_RE.test(json.url))
			return;
		list = list.filter(function (e) {
			if (e.id === json.id)
				old = e;
			return e.id !== json.id;
		});
		entry = {
			id: json.id,
			page_url: json.page_url,
			url: json.url,
			thumb: json.variants && json.variants.small &&
			    URL_RE.test(json.variants.small.url) ?
			    json.variants.small.url : json.url,
			name: String(file || '').slice(0, 200),
			created: new Date().toISOString(),
			claims: old ? old.claims : []
		};
		if (typeof json.delete_token === 'string' && json.delete_token)
			entry.claims.push({ delete_token: json.delete_token,
			    delete_url: json.delete_url });
		list.unshift(entry);
		mineSave(s, list);
	}

	/*
	 * The claim of token on id has ended: the entry goes with its last
	 * claim.  Read afresh each time, so an upload of the same image in
	 * another tab meanwhile keeps its claim.
	 */
	function mineEnd(s, id, token) {
		var list = mineLoad(s).filter(function (e) {
			if (e.id !== id)
				return true;
			e.claims = e.claims.filter(function (c) {
				return c.delete_token !== token;
			});
			return e.claims.length > 0;
		});
		mineSave(s, list);
	}

	function shortTime(iso) {
		var d = new Date(iso);
		if (isNaN(d.getTime()))
			return '';
		try {
			return d.toLocaleString(undefined,
			    { dateStyle: 'medium', timeStyle: 'short' });
		} catch (e) {
			return d.toLocaleString();
		}
	}

	/*
	 * The object URLs of the files this page uploaded, by id: their
	 * thumbnails come from the file itself, not from the server.
	 */
	var localThumbs = {};

	/*
	 * Shows local (an object URL) in img, or remote where there is none
	 * or the browser cannot show the file (HEIC, TIFF): the server made
	 * a copy it can.
	 */
	function thumbSrc(img, local, remote) {
		img.decoding = 'async';
		img.src = local || remote;
		if (!local)
			return;
		img.addEventListener('error', function () {
			img.src = remote;
		}, { once: true });
	}

	function mineEntry(e) {
		var li = el('li', 'entry'), body = el('div', 'item-body'),
		    thumb = el('a', 'thumb'), img = el('img'),
		    name = el('p', 'name'), link = el('a', '', e.name ||
		    e.page_url),
		    when = el('time', 'when', shortTime(e.created)),
		    actions = el('p', 'entry-actions'),
		    del = el('button', 'entry-delete', 'Delete');

		li.dataset.id = e.id;
		thumbSrc(img, localThumbs[e.id], e.thumb);
		img.alt = '';
		img.loading = 'lazy';
		thumb.href = e.page_url;
		thumb.append(img);
		link.href = e.page_url;
		name.append(link);
		when.dateTime = e.created;
		del.type = 'button';
		actions.append(when, del);
		/* A server without delete tokens: the entry can only go. */
		if (!e.claims.length) {
			del.className = 'entry-delete forget';
			del.textContent = 'Remove from list';
		}
		body.append(name, linkBox([['Page', 'page', 'Copy link',
		    e.page_url], ['Direct', 'direct', 'Copy URL', e.url]],
		    'h-' + e.id), actions,
		    el('p', 'state'));
		li.append(thumb, body);
		return li;
	}

	function mineShow(box, s) {
		var list = mineLoad(s), ol = box.querySelector('ol');

		ol.replaceChildren.apply(ol, list.map(mineEntry));
		box.hidden = list.length === 0;
	}

	/* DELETE answers: which end the claim here, and what to say else. */
	function deleteGone(status) {
		/* 403: not a live claim any more; 404, 410: no image. */
		return status === 204 || status === 403 || status === 404 ||
		    status === 410;
	}

	function deleteText(status) {
		switch (status) {
		case 0: return 'The connection failed. Check your network ' +
		    'and try again.';
		case 503: return 'The server is busy right now. Try again ' +
		    'later.';
		default: return 'The delete failed (error ' + status + '). ' +
		    'Try again later.';
		}
	}

	/* Ends this browser's claims on id, one after the other. */
	function mineDelete(box, s, li, btn) {
		var id = li.dataset.id, entry = null, state =
		    li.querySelector('.state'), left;

		mineLoad(s).forEach(function (e) {
			if (e.id === id)
				entry = e;
		});
		if (!entry)
			return;
		if (!entry.claims.length) {
			mineEnd(s, id, null);
			mineShow(box, s);
			return;
		}
		if (!window.confirm('Delete this image? Its links stop ' +
		    'working, unless someone else uploaded it too.'))
			return;
		left = entry.claims.slice();
		btn.disabled = true;
		li.classList.remove('failed');
		state.textContent = 'Deleting…';

		function next() {
			if (!left.length) {
				mineGone(id);
				mineShow(box, s);
				box.querySelector('.history-note').textContent =
				    'Deleted.';
				return;
			}
			fetch('/api/v1/images/' + encodeURIComponent(id), {
				method: 'DELETE',
				credentials: 'same-origin',
				headers: { Authorization: 'Bearer ' +
				    left[0].delete_token }
			}).then(function (r) {
				return r.status;
			}, function () {
				return 0;
			}).then(function (status) {
				if (deleteGone(status)) {
					mineEnd(s, id,
					    left.shift().delete_token);
					next();
					return;
				}
				btn.disabled = false;
				li.classList.add('failed');
				state.textContent = deleteText(status);
			});
		}
		next();
	}

	/* This page's own result of an image now deleted says so. */
	function mineGone(id) {
		var items = document.querySelectorAll('.item[data-id]');
		Array.prototype.forEach.call(items, function (item) {
			if (item.dataset.id !== id)
				return;
			item.classList.add('deleted');
			item.querySelector('.state').textContent = 'Deleted.';
		});
	}

	/* "Your uploads" after the results; null without localStorage. */
	function initMine(list) {
		var s = store(), box;

		if (!s)
			return null;
		box = el('section', 'history');
		box.id = 'history';
		box.setAttribute('aria-labelledby', 'history-title');
		box.append(el('h2', '', 'Your uploads'),
		    el('p', 'history-hint', 'Kept in this browser only, ' +
		    'with what it takes to delete them.'),
		    el('p', 'history-note'), el('ol', 'entries'));
		box.firstChild.id = 'history-title';
		box.querySelector('.history-note').setAttribute('aria-live',
		    'polite');
		list.after(box);
		mineShow(box, s);
		box.addEventListener('click', function (e) {
			var btn = e.target.closest('.entry-delete');
			if (btn)
				mineDelete(box, s, btn.closest('.entry'), btn);
		});
		/* Another tab uploaded or deleted. */
		window.addEventListener('storage', function (e) {
			if (e.key === KEY || e.key === null)
				mineShow(box, s);
		});
		return {
			add: function (json, file) {
				mineAdd(s, json, file);
				box.querySelector('.history-note').textContent =
				    '';
				mineShow(box, s);
			}
		};
	}

	/* Upload page --------------------------------------------------- */

	var count = 0, mine = null;

	/*
	 * The card of a finished upload: its thumbnail (from file itself
	 * when there is one, so the server is not asked for it), the share
	 * codes of each size and the page's link.
	 */
	function showDone(card, json, name, file) {
		var thumb = el('a', 'thumb'), img = el('img'),
		    open = el('a', 'open', 'Open the image page'),
		    remote = json.variants && json.variants.small ?
		    json.variants.small.url : json.url;

		if (file && window.URL && URL.createObjectURL &&
		    !localThumbs[json.id])
			localThumbs[json.id] = URL.createObjectURL(file);
		thumbSrc(img, localThumbs[json.id], remote);
		img.alt = '';
		thumb.href = json.page_url;
		thumb.append(img);
		card.item.replaceChild(thumb, card.item.firstChild);
		card.item.classList.add('done');
		card.item.dataset.id = json.id;
		card.state.textContent = (json.duplicate ? 'Already here: ' :
		    'Uploaded: ') + json.width + ' × ' + json.height;
		open.href = json.page_url;
		card.body.append(shareBox(json, card.n), open);
		if (mine)
			mine.add(json, name);
	}

	function showFailed(card, text) {
		card.item.classList.add('failed');
		card.state.textContent = text;
	}

	/* A card on top of the results, saying what is under way. */
	function newCard(list, title, note, text) {
		var card = { item: el('li', 'item'), body: el('div', 'item-body'),
		    bar: el('progress'), state: el('p', 'state', text),
		    n: ++count }, name = el('p', 'name', title);

		if (note)
			name.append(' ', el('span', 'bytes', note));
		card.bar.max = 100;
		card.body.append(name, card.bar, card.state);
		card.item.append(el('div', 'thumb'), card.body);
		list.prepend(card.item);
		return card;
	}

	/* POSTs data to the API; the card shows how it went. */
	function send(card, data, type, max, name, file) {
		var xhr = new XMLHttpRequest();

		xhr.upload.addEventListener('progress', function (e) {
			if (!e.lengthComputable || !file)
				return;
			card.bar.value = Math.round(100 * e.loaded / e.total);
			card.state.textContent = 'Uploading… ' +
			    card.bar.value + '%';
		});
		xhr.addEventListener('load', function () {
			var json = null;
			try {
				json = JSON.parse(xhr.responseText);
			} catch (e) { /* a proxy's HTML error page */ }
			card.bar.value = 100;
			if ((xhr.status === 200 || xhr.status === 201) && json)
				showDone(card, json, name, file);
			else
				showFailed(card, errorText(xhr.status, max,
				    json));
		});
		xhr.addEventListener('error', function () {
			showFailed(card, errorText(0, max));
		});
		xhr.open('POST', '/api/v1/images');
		if (type)
			xhr.setRequestHeader('Content-Type', type);
		xhr.send(data);
	}

	function upload(file, list, max) {
		var name = file.name || 'pasted image', data = new FormData(),
		    card = newCard(list, name, humanBytes(file.size),
		    'Uploading…');

		card.bar.value = 0;
		if (file.size > max) {
			showFailed(card, errorText(413, max));
			return;
		}
		data.append('file', file, file.name || 'pasted-image');
		send(card, data, null, max, name, file);
	}

	/* An upload by url: the server fetches it; the bar just waits. */
	function uploadUrl(url, list, max) {
		var card = newCard(list, url, '', 'Fetching…');

		send(card, JSON.stringify({ url: url }), 'application/json', max,
		    url, null);
	}

	function uploadAll(files, list, max) {
		Array.prototype.forEach.call(files, function (f) {
			upload(f, list, max);
		});
	}

	function initUpload(form) {
		var input = form.querySelector('input[type=file]'),
		    zone = document.getElementById('zone'),
		    url = document.getElementById('url'),
		    list = document.getElementById('results'),
		    max = Number(form.dataset.max) || 32 * MB, depth = 0;

		mine = initMine(list);

		input.multiple = true;
		input.addEventListener('change', function () {
			uploadAll(input.files, list, max);
			input.value = '';
		});
		form.addEventListener('submit', function (e) {
			e.preventDefault();
			if (url && url.value.trim()) {
				uploadUrl(url.value.trim(), list, max);
				url.value = '';
			}
		});
		document.addEventListener('dragenter', function (e) {
			e.preventDefault();
			depth++;
			zone.classList.add('dragging');
		});
		document.addEventListener('dragleave', function () {
			if (--depth <= 0) {
				depth = 0;
				zone.classList.remove('dragging');
			}
		});
		document.addEventListener('dragover', function (e) {
			e.preventDefault();
		});
		document.addEventListener('drop', function (e) {
			e.preventDefault();
			depth = 0;
			zone.classList.remove('dragging');
			if (e.dataTransfer && e.dataTransfer.files.length)
				uploadAll(e.dataTransfer.files, list, max);
		});
		document.addEventListener('paste', function (e) {
			var files = e.clipboardData ? e.clipboardData.files : [];
			if (files.length) {
				e.preventDefault();
				uploadAll(files, list, max);
			}
		});
	}

	/* Placeholder ---------------------------------------------------- */

	/*
	 * A ThumbHash (https://evanw.github.io/thumbhash/) decoded into
	 * { w, h, rgba }, 32 pixels on its longer side; null when too short.
	 * The bytes: a 24-bit header (the DC terms of L, P and Q, 6 bits
	 * each, the scale of L's AC terms, 5, and 1 bit "has alpha"), a
	 * 16-bit one (how many L terms along the shorter side, 3 bits, the
	 * scales of P and Q, 6 each, and 1 bit "landscape"), with alpha a
	 * byte of its DC and scale (4 bits each), then every AC term in 4
	 * bits, low nibble first: L's, P's, Q's, and A's.  L is luminance,
	 * P yellow-blue, Q red-green; each channel is a sum of cosines.
	 */
	function thumbHashDecode(h) {
		var h24, h16, alpha, land, lc, lx, ly, nx, ny, start, k = 0,
		    dc, ac, w, ht, rgba, fx = [], fy = [], v, q, x, y, i, r, g, b;

		if (h.length < 5)
			return null;
		h24 = h[0] | h[1] << 8 | h[2] << 16;
		h16 = h[3] | h[4] << 8;
		alpha = h24 >> 23 & 1;
		land = h16 >> 15 & 1;
		lc = h16 & 7;
		lx = Math.max(3, land ? (alpha ? 5 : 7) : lc);
		ly = Math.max(3, land ? lc : (alpha ? 5 : 7));
		start = alpha ? 6 : 5;
		if (h.length < start)
			return null;

		/* The AC terms of an nx by ny channel, in the encoder's order. */
		function terms(nx, ny, scale) {
			var t = [], cx, cy, n;
			for (cy = 0; cy < ny; cy++)
				for (cx = cy ? 0 : 1; cx * ny < nx * (ny - cy);
				    cx++, k++) {
					n = (h[start + (k >> 1)] || 0) >>
					    ((k & 1) << 2) & 15;
					t.push((n / 7.5 - 1) * scale);
				}
			return t;
		}
		/* A channel's value where fx and fy hold the cosines. */
		function sum(nx, ny, d, t) {
			var cx, cy, j = 0;
			for (cy = 0; cy < ny; cy++)
				for (cx = cy ? 0 : 1; cx * ny < nx * (ny - cy);
				    cx++, j++)
					d += t[j] * fx[cx] * fy[cy] * 2;
			return d;
		}

		dc = [(h24 & 63) / 63, (h24 >> 6 & 63) / 31.5 - 1,
		    (h24 >> 12 & 63) / 31.5 - 1, alpha ? (h[5] & 15) / 15 : 1];
		/* P and Q are scaled up a quarter, as the reference does. */
		ac = [terms(lx, ly, (h24 >> 18 & 31) / 31),
		    terms(3, 3, (h16 >> 3 & 63) / 63 * 1.25),
		    terms(3, 3, (h16 >> 9 & 63) / 63 * 1.25),
		    alpha ? terms(5, 5, (h[5] >> 4) / 15) : []];

		/* The size: the aspect ratio the counts give, as the reference. */
		v = (land ? (alpha ? 5 : 7) : lc) / (land ? lc : (alpha ? 5 : 7));
		w = Math.max(1, Math.round(v > 1 ? 32 : 32 * v));
		ht = Math.max(1, Math.round(v > 1 ? 32 / v : 32));
		rgba = new Uint8ClampedArray(w * ht * 4);
		nx = Math.max(lx, alpha ? 5 : 3);
		ny = Math.max(ly, alpha ? 5 : 3);
		for (y = 0, i = 0; y < ht; y++) {
			for (v = 0; v < ny; v++)
				fy[v] = Math.cos(Math.PI / ht * (y + 0.5) * v);
			for (x = 0; x < w; x++, i += 4) {
				for (v = 0; v < nx; v++)
					fx[v] = Math.cos(Math.PI / w * (x + 0.5) *
					    v);
				v = sum(lx, ly, dc[0], ac[0]);
				q = sum(3, 3, dc[2], ac[2]);
				/* L, P, Q to R, G, B. */
				b = v - 2 / 3 * sum(3, 3, dc[1], ac[1]);
				r = (3 * v - b + q) / 2;
				g = r - q;
				rgba[i] = 255 * r;
				rgba[i + 1] = 255 * g;
				rgba[i + 2] = 255 * b;
				rgba[i + 3] = 255 * (alpha ?
				    sum(5, 5, dc[3], ac[3]) : 1);
			}
		}
		return { w: w, h: ht, rgba: rgba };
	}

	/* The base64 ThumbHash b64 as a PNG data: URL; null if it is not. */
	function placeholderURL(b64) {
		var bin, bytes, t, c, d, i;
		try {
			bin = atob(b64);
		} catch (e) {
			return null;
		}
		bytes = new Uint8Array(bin.length);
		for (i = 0; i < bin.length; i++)
			bytes[i] = bin.charCodeAt(i);
		if (!(t = thumbHashDecode(bytes)))
			return null;
		c = el('canvas');
		c.width = t.w;
		c.height = t.h;
		d = c.getContext('2d').createImageData(t.w, t.h);
		d.data.set(t.rgba);
		c.getContext('2d').putImageData(d, 0, 0);
		return c.toDataURL('image/png');
	}

	/*
	 * Paints img's placeholder as its background until its image has
	 * loaded: the blur of the image, in the image's own box (its width
	 * and height attributes give the box before a byte has come).
	 */
	function paintPlaceholder(img) {
		if (img.complete && img.naturalWidth > 0)
			return;
		if (img.placeholderURL === undefined)
			img.placeholderURL = img.dataset.placeholder ?
			    placeholderURL(img.dataset.placeholder) : null;
		if (!img.placeholderURL)
			return;
		img.style.backgroundImage = 'url("' + img.placeholderURL + '")';
		img.classList.add('placeholder');
		img.addEventListener('load', function () {
			img.style.backgroundImage = '';
			img.classList.remove('placeholder');
		}, { once: true });
	}

	/* Image page ---------------------------------------------------- */

	/* Shows size chip's image in place: its WebP source, then its own. */
	function showSize(chip) {
		var picture = document.getElementById('picture'),
		    img = document.getElementById('image'),
		    source = document.getElementById('webp'), d = chip.dataset;

		if (d.webp) {
			if (!source) {
				source = el('source');
				source.id = 'webp';
				source.type = 'image/webp';
				picture.insertBefore(source, img);
			}
			source.srcset = d.webp;
		} else if (source)
			source.remove();
		img.width = Number(d.w);
		img.height = Number(d.h);
		img.src = d.src;
		paintPlaceholder(img);
		history.replaceState(null, '', '?size=' +
		    encodeURIComponent(d.size));
	}

	/* A size chip clicked: one click chooses it, on either page. */
	function clickSize(e, chip) {
		var box = chip.closest('.share');
		if (!box || e.button !== 0 || e.ctrlKey || e.metaKey ||
		    e.shiftKey || e.altKey)
			return;
		e.preventDefault();
		chooseSize(box, chip);
		if (box.id === 'share-box')
			showSize(chip);
	}

	/* The native share sheet, where the browser has one. */
	function initShare(btn) {
		var box = document.getElementById('share-box');
		if (!box || typeof navigator.share !== 'function')
			return;
		btn.hidden = false;
		btn.addEventListener('click', function () {
			var p = navigator.share({ title: box.dataset.alt,
			    url: box.dataset.page });
			if (p && p.catch)
				p.catch(function () { /* cancelled */ });
		});
	}

	document.addEventListener('DOMContentLoaded', function () {
		var form = document.getElementById('upload'),
		    img = document.getElementById('image'),
		    share = document.getElementById('share');
		if (form)
			initUpload(form);
		if (img)
			paintPlaceholder(img);
		if (share)
			initShare(share);
		document.addEventListener('click', function (e) {
			var btn = e.target.closest('.copy'),
			    chip = e.target.closest('.chip');
			if (btn)
				copy(btn);
			else if (chip)
				clickSize(e, chip);
		});
		/* A code is longer than its box: a click takes all of it. */
		document.addEventListener('focusin', function (e) {
			if (e.target.matches('.link input'))
				e.target.select();
		});
	});
}());
