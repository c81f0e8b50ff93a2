/*
 * imghost: the pages' one script, no framework.  The pages work without
 * it (a plain form, a GET form for the size); with it, the upload page
 * takes several files, drops and pastes, with a progress bar each, and
 * the image page swaps sizes in place.  Loaded from <head>, so the "js"
 * class is set before the first paint.
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
		    'JPEG, PNG, GIF or WebP.';
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
		var box = el('div', 'links'), rows = [
			['Page', page],
			['Direct', direct],
			['Markdown', '[![image](' + direct + ')](' + page + ')'],
			['BBCode', '[url=' + page + '][img]' + direct +
			    '[/img][/url]'],
			['HTML', '<a href="' + page + '"><img src="' + direct +
			    '" alt=""></a>']
		];
		rows.forEach(function (r, i) {
			var row = el('div', 'link'), id = 'l' + n + '-' + i;
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

	/* Upload page --------------------------------------------------- */

	var count = 0;

	function showDone(item, body, json, n) {
		var thumb = el('a', 'thumb'), img = el('img'),
		    open = el('a', 'open', 'Open the image page');
		img.src = json.variants && json.variants.small ?
		    json.variants.small.url : json.url;
		img.alt = '';
		thumb.href = json.page_url;
		thumb.append(img);
		item.replaceChild(thumb, item.firstChild);
		item.classList.add('done');
		body.querySelector('.state').textContent = (json.duplicate ?
		    'Already here: ' : 'Uploaded: ') + json.width + ' × ' +
		    json.height;
		open.href = json.page_url;
		body.append(linkRows(json.page_url, json.url, n), open);
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
				showDone(item, body, json, n);
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
