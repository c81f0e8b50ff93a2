/*
 * imghost: the pages' one script, no framework.  The pages work without
 * it (a plain form, a GET form for the size); with it, the upload page
 * takes several files, drops and pastes, with a progress bar each, and
 * the image page swaps sizes in place, and the uploader's own history
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
	function errorText(status, max) {
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

	/* The share links, as the image page's server writes them. */
	function linkRows(page, direct, n) {
		return linkBox([
			['Page', page],
			['Direct', direct],
			['Markdown', '[![image](' + direct + ')](' + page + ')'],
			['BBCode', '[url=' + page + '][img]' + direct +
			    '[/img][/url]'],
			['HTML', '<a href="' + page + '"><img src="' + direct +
			    '" alt=""></a>']
		], 'l' + n);
	}

	/* Rows of a label, a read-only input and its Copy button. */
	function linkBox(rows, prefix) {
		var box = el('div', 'links');
		rows.forEach(function (r, i) {
			var row = el('div', 'link'), id = prefix + '-' + i;
			var label = el('label', '', r[0]);
			var input = el('input');
			label.htmlFor = id;
			input.id = id;
			input.readOnly = true;
			input.value = r[1];
			row.append(label, input,
			    el('button', 'copy', 'Copy'));
			row.lastChild.type = 'button';
			box.append(row);
		});
		return box;
	}

	function copied(btn) {
		btn.textContent = 'Copied';
		btn.classList.add('copied');
		setTimeout(function () {
			btn.textContent = 'Copy';
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

	function mineEntry(e) {
		var li = el('li', 'entry'), body = el('div', 'item-body'),
		    thumb = el('a', 'thumb'), img = el('img'),
		    name = el('p', 'name'), link = el('a', '', e.name ||
		    e.page_url),
		    when = el('time', 'when', shortTime(e.created)),
		    actions = el('p', 'entry-actions'),
		    del = el('button', 'entry-delete', 'Delete');

		li.dataset.id = e.id;
		img.src = e.thumb;
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
		body.append(name, linkBox([['Page', e.page_url],
		    ['Direct', e.url]], 'h-' + e.id), actions,
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

	function showDone(item, body, json, n, file) {
		var thumb = el('a', 'thumb'), img = el('img'),
		    open = el('a', 'open', 'Open the image page');
		img.src = json.variants && json.variants.small ?
		    json.variants.small.url : json.url;
		img.alt = '';
		thumb.href = json.page_url;
		thumb.append(img);
		item.replaceChild(thumb, item.firstChild);
		item.classList.add('done');
		item.dataset.id = json.id;
		body.querySelector('.state').textContent = (json.duplicate ?
		    'Already here: ' : 'Uploaded: ') + json.width + ' × ' +
		    json.height;
		open.href = json.page_url;
		body.append(linkRows(json.page_url, json.url, n), open);
		if (mine)
			mine.add(json, file);
	}

	function showFailed(item, body, text) {
		item.classList.add('failed');
		body.querySelector('.state').textContent = text;
	}

	function upload(file, list, max) {
		var item = el('li', 'item'), body = el('div', 'item-body'),
		    name = el('p', 'name', file.name || 'pasted image'),
		    bar = el('progress'), xhr = new XMLHttpRequest(),
		    data = new FormData(), n = ++count;

		name.append(' ', el('span', 'bytes', humanBytes(file.size)));
		bar.max = 100;
		bar.value = 0;
		body.append(name, bar, el('p', 'state', 'Uploading…'));
		item.append(el('div', 'thumb'), body);
		list.prepend(item);
		if (file.size > max) {
			showFailed(item, body, errorText(413, max));
			return;
		}
		xhr.upload.addEventListener('progress', function (e) {
			if (!e.lengthComputable)
				return;
			bar.value = Math.round(100 * e.loaded / e.total);
			body.querySelector('.state').textContent =
			    'Uploading… ' + bar.value + '%';
		});
		xhr.addEventListener('load', function () {
			var json = null;
			try {
				json = JSON.parse(xhr.responseText);
			} catch (e) { /* a proxy's HTML error page */ }
			bar.value = 100;
			if ((xhr.status === 200 || xhr.status === 201) && json)
				showDone(item, body, json, n,
				    file.name || 'pasted image');
			else
				showFailed(item, body, errorText(xhr.status,
				    max));
		});
		xhr.addEventListener('error', function () {
			showFailed(item, body, errorText(0, max));
		});
		data.append('file', file, file.name || 'pasted-image');
		xhr.open('POST', '/api/v1/images');
		xhr.send(data);
	}

	function uploadAll(files, list, max) {
		Array.prototype.forEach.call(files, function (f) {
			upload(f, list, max);
		});
	}

	function initUpload(form) {
		var input = form.querySelector('input[type=file]'),
		    zone = document.getElementById('zone'),
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

	/* Image page ---------------------------------------------------- */

	function initSizes(select) {
		var picture = document.getElementById('picture'),
		    img = document.getElementById('image');

		select.addEventListener('change', function () {
			var o = select.options[select.selectedIndex],
			    source = document.getElementById('webp');
			if (o.dataset.webp) {
				if (!source) {
					source = el('source');
					source.id = 'webp';
					source.type = 'image/webp';
					picture.insertBefore(source, img);
				}
				source.srcset = o.dataset.webp;
			} else if (source)
				source.remove();
			img.width = Number(o.dataset.w);
			img.height = Number(o.dataset.h);
			img.src = o.dataset.src;
			history.replaceState(null, '', '?size=' +
			    encodeURIComponent(o.value));
		});
	}

	document.addEventListener('DOMContentLoaded', function () {
		var form = document.getElementById('upload'),
		    select = document.getElementById('size');
		if (form)
			initUpload(form);
		if (select)
			initSizes(select);
		document.addEventListener('click', function (e) {
			var btn = e.target.closest('.copy');
			if (btn)
				copy(btn);
		});
	});
}());
