// The reference ThumbHash of raw 8-bit RGBA pixels, in hex, for
// tests/unit/t_thumbhash.c to compare with lib/thumbhash.c's bytes.
//
//	node ref.js FILE W H	FILE holds W*H*4 bytes, row by row
//
// Prints one line: the bytes in lowercase hex, a space, and the same bytes
// in standard base64 with padding (what btoa gives, as the reference's demo
// stores them); exits 2 on bad arguments.
import { readFileSync } from 'node:fs'
import { rgbaToThumbHash } from 'thumbhash'

const [file, ws, hs] = process.argv.slice(2)
const w = Number(ws), h = Number(hs)
if (!file || !Number.isInteger(w) || !Number.isInteger(h)) {
	console.error('usage: node ref.js FILE W H')
	process.exit(2)
}
const rgba = readFileSync(file)
if (rgba.length !== w * h * 4) {
	console.error(`${file}: ${rgba.length} bytes, not ${w}x${h}x4`)
	process.exit(2)
}
const hash = Buffer.from(rgbaToThumbHash(w, h, rgba))
console.log(hash.toString('hex') + ' ' + hash.toString('base64'))
