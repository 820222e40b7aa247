// Reference token ids from npm gpt-3-encoder's Encoder.js (run unchanged), for the C++ tests.
// usage: node encoder_ref.js ENCODER_DIR CASES.json OUT.json
//   CASES.json: a JSON array of strings.  OUT.json: a JSON array with one object per case,
//   {"ids": [...], "pieces": [...]}: the token ids of encode(), and the pre-tokenizer pieces
//   found with Encoder.js's own regex (read from its source, since it is not exported), so
//   the tests can compare the split itself and not only ids (different splits can give equal
//   ids when no merge spans the difference).
//
// Encoder.js's encode() grows its result with Array.concat per piece (quadratic), which makes a
// 100 kB document take minutes.  So each case is cut into chunks at positions that are always
// piece boundaries of the GPT-2 regex, and the chunks are encoded separately: a position p with
// text[p] == ' ' and text[p-1] not whitespace.  Why that is safe: no alternative of the regex
// matches a non-whitespace character followed by a space (letters, numbers and punctuation
// runs never contain a space, contractions end in a letter, whitespace runs hold no
// non-whitespace), so the piece before p ends at p; and the only lookahead, \s+(?!\S), belongs
// to whitespace runs, which cannot end at p-1.  Matching after p depends only on text[p..].
'use strict';
const fs = require('fs');
const path = require('path');

const [encoderDir, casesFile, outFile] = process.argv.slice(2);
if (!outFile) {
  console.error('usage: node encoder_ref.js ENCODER_DIR CASES.json OUT.json');
  process.exit(2);
}
const encoder = require(path.resolve(encoderDir, 'Encoder.js'));
const cases = JSON.parse(fs.readFileSync(casesFile, 'utf8'));

const kChunkChars = 4000;
const isSpace = /^\s$/u;

function encodeChunked(text) {
  const ids = [];
  let start = 0;
  while (start < text.length) {
    let end = text.length;
    if (text.length - start > kChunkChars) {
      end = -1;
      for (let p = start + kChunkChars; p < text.length; ++p) {
        // text[p-1] may be the low half of a surrogate pair: that is never whitespace.
        if (text[p] === ' ' && !isSpace.test(text[p - 1])) { end = p; break; }
      }
      if (end < 0) end = text.length;
    }
    for (const id of encoder.encode(text.slice(start, end))) ids.push(id === undefined ? null : id);
    start = end;
  }
  return ids;
}

// The line "const pat = /.../gu" of Encoder.js.
function encoderPattern() {
  const source = fs.readFileSync(path.resolve(encoderDir, 'Encoder.js'), 'utf8');
  const m = source.match(/^const pat = \/(.*)\/([a-z]*)\s*$/m);
  if (!m) throw new Error('Encoder.js: cannot find its "const pat = /.../" line');
  return new RegExp(m[1], m[2]);
}
const pat = encoderPattern();

fs.writeFileSync(outFile, JSON.stringify(cases.map(text => ({
  ids: encodeChunked(text),
  pieces: Array.from(text.matchAll(pat), m => m[0]),
}))));
