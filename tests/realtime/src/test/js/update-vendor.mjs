// Regenerates the browser ES modules the router serves at /_outpost/vendor/ (the `doc` page's
// yjs + y-websocket) from the packages installed here by the committed package-lock.json, and the
// import map the pages use for their bare specifiers. Upgrading is: bump the versions in
// package.json, `npm install --save-exact`, then
//
//   node update-vendor.mjs            (writes router/src/main/resources/outpost/vendor/)
//   node update-vendor.mjs --check    (exits 1, naming the difference, if that directory is stale)
//
// Why: the demo pages have no build step and use no CDN, and yjs is not on Maven Central, so the
// router jar carries the exact files npm installed, unchanged, each package beside its LICENSE.
//
// How: walk the static import graph from ENTRIES; a relative import stays inside its package; a
// bare one ("lib0/encoding", "yjs") resolves through the package's package.json "exports" with the
// conditions a browser bundler uses (browser, module, import, default; first match in the file's
// order, as Node does), else its "module" or "main" field. Each package goes to
// vendor/NAME@VERSION/ (its own paths kept), so a new version is a new URL and the router may let
// browsers cache a file forever. The map (vendor/importmap.json) names every bare specifier
// imported anywhere in the graph. Static imports only: these packages use no dynamic import().
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ENTRIES = ['yjs', 'y-websocket'];
const CONDITIONS = new Set(['browser', 'module', 'import', 'default']);
const URL_PREFIX = '/_outpost/vendor/';
const here = path.dirname(fileURLToPath(import.meta.url));
const modules = path.join(here, 'node_modules');
const out = path.resolve(here, '../../../../../router/src/main/resources/outpost/vendor');
const check = process.argv.includes('--check');

/** package name -> {dir, version, json} */
const packages = new Map();
function pkg(name) {
  if (!packages.has(name)) {
    const dir = path.join(modules, name);
    const file = path.join(dir, 'package.json');
    if (!fs.existsSync(file)) throw new Error(`package ${name} is not installed in ${modules}; run npm ci`);
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    packages.set(name, { dir, version: json.version, json });
  }
  return packages.get(name);
}

/** The target of an "exports" value under our conditions, or null. */
function pick(value) {
  if (typeof value === 'string' || value === null) return value;
  if (Array.isArray(value)) {
    for (const v of value) { const t = pick(v); if (t) return t; }
    return null;
  }
  for (const [condition, v] of Object.entries(value)) {
    if (CONDITIONS.has(condition)) { const t = pick(v); if (t) return t; }
  }
  return null;
}

/** Resolves bare specifier spec to {name, file} (file relative to the package directory). */
function resolveBare(spec) {
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  const sub = '.' + spec.slice(name.length);
  const { json } = pkg(name);
  let target = null;
  if (json.exports !== undefined) {
    const exp = json.exports;
    const subpaths = typeof exp === 'object' && !Array.isArray(exp) && Object.keys(exp).some((k) => k.startsWith('.'));
    if (!subpaths) {
      target = sub === '.' ? pick(exp) : null;
    } else if (sub in exp) {
      target = pick(exp[sub]);
    } else {
      for (const [key, v] of Object.entries(exp)) {
        const star = key.indexOf('*');
        if (star < 0) continue;
        const [before, after] = [key.slice(0, star), key.slice(star + 1)];
        if (sub.startsWith(before) && sub.endsWith(after) && sub.length >= key.length - 1) {
          const t = pick(v);
          if (t) target = t.replace('*', sub.slice(before.length, sub.length - after.length));
          break;
        }
      }
    }
    if (!target) throw new Error(`${name}'s package.json exports nothing for ${spec} under ${[...CONDITIONS]}`);
  } else {
    target = sub === '.' ? (json.module || json.main || 'index.js') : sub;
  }
  return { name, file: path.posix.normalize(target.replace(/^\.\//, '')) };
}

// import X from '...', import {a, b as c} from '...', import * as X from '...', export ... from '...'
// at the start of a line (so not in a comment), and side-effect imports.
const IMPORT = /^[ \t]*(?:import|export)[\s\w*{},$]*?from\s*['"]([^'"]+)['"]|^[ \t]*import\s*['"]([^'"]+)['"]/gm;

const files = new Map(); // "name@version/file" -> absolute source
const importMap = {};
const queue = [];
function addBare(spec) {
  if (spec in importMap) return;
  const { name, file } = resolveBare(spec);
  const key = `${name}@${pkg(name).version}/${file}`;
  importMap[spec] = URL_PREFIX + key;
  queue.push({ name, file });
}
ENTRIES.forEach(addBare);
while (queue.length) {
  const { name, file } = queue.shift();
  const { dir, version } = pkg(name);
  const key = `${name}@${version}/${file}`;
  if (files.has(key)) continue;
  const source = path.join(dir, file);
  if (!fs.existsSync(source)) throw new Error(`${key} is imported but ${source} does not exist`);
  files.set(key, source);
  const text = fs.readFileSync(source, 'utf8');
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] || m[2];
    if (spec.startsWith('./') || spec.startsWith('../')) {
      const rel = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
      if (rel.startsWith('..')) throw new Error(`${key} imports ${spec}, outside its package`);
      queue.push({ name, file: rel });
    } else if (spec.startsWith('node:') || spec.includes(':')) {
      throw new Error(`${key} imports ${spec}, which a browser cannot load`);
    } else {
      addBare(spec);
    }
  }
}
for (const name of packages.keys()) {
  const { dir, version } = pkg(name);
  const license = ['LICENSE', 'LICENSE.md', 'LICENSE.txt'].find((f) => fs.existsSync(path.join(dir, f)));
  if (!license) throw new Error(`package ${name} has no LICENSE file to vendor beside it`);
  files.set(`${name}@${version}/LICENSE`, path.join(dir, license));
}

const sorted = Object.fromEntries(Object.entries(importMap).sort(([a], [b]) => a.localeCompare(b)));
const mapText = JSON.stringify({ imports: sorted }, null, 2) + '\n';
const wanted = new Map([...files].map(([key, source]) => [key, fs.readFileSync(source)]));
wanted.set('importmap.json', Buffer.from(mapText));

function existing(dir, prefix = '') {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? existing(path.join(dir, e.name), prefix + e.name + '/') : [prefix + e.name]);
}

if (check) {
  const have = new Set(existing(out));
  const problems = [];
  for (const [key, bytes] of wanted) {
    if (!have.has(key)) problems.push('missing ' + key);
    else if (!fs.readFileSync(path.join(out, key)).equals(bytes)) problems.push('differs ' + key);
    have.delete(key);
  }
  for (const key of have) problems.push('not wanted ' + key);
  if (problems.length) {
    console.log(`${out} is stale (run node update-vendor.mjs):\n  ` + problems.join('\n  '));
    process.exit(1);
  }
  console.log(`ok ${out}: ${wanted.size} files, ${Object.keys(sorted).length} specifiers`);
} else {
  fs.rmSync(out, { recursive: true, force: true });
  for (const [key, bytes] of wanted) {
    fs.mkdirSync(path.dirname(path.join(out, key)), { recursive: true });
    fs.writeFileSync(path.join(out, key), bytes);
  }
  console.log(`wrote ${wanted.size} files to ${out}; the import map names ${Object.keys(sorted).length} specifiers:`);
  for (const [spec, url] of Object.entries(sorted)) console.log(`  ${spec} -> ${url}`);
}
